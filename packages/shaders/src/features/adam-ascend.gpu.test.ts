// SPDX-License-Identifier: Apache-2.0
import { describe, expect } from 'vitest';
import { gpuTest, seededF32 } from '@webxai/testing';
import { runKernel } from '../runtime/kernel.js';
import { createBuffer, liveBufferCount, readFloat32, releaseBuffer, uploadBuffer } from '../runtime/buffers.js';
import { adamAscend } from './adam-ascend.kernel.js';
import { adamAscendRef } from './adam-ascend.ref.js';

describe('adam-ascend', () => {
  // 1, a partial workgroup, several workgroups; the first step (m = v = 0) and a later one.
  for (const [count, first] of [
    [1, true],
    [300, true],
    [5000, false],
  ] as const) {
    gpuTest(`${count} parameters, ${first ? 'first step' : 'later step'}: equals the f64 step`, async ({ device }) => {
      const x = seededF32(count, count, -1, 1);
      const gradient = seededF32(count, count + 1, -2, 2);
      const m = first ? new Float32Array(count) : seededF32(count, count + 2, -0.5, 0.5);
      const v = first ? new Float32Array(count) : seededF32(count, count + 3, 0, 0.5);
      const t = first ? 1 : 7;
      const step = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, rate: (0.05 * Math.sqrt(1 - 0.999 ** t)) / (1 - 0.9 ** t) };
      const inputs = [x, gradient, m, v].map((a, i) => uploadBuffer(device, a, `in${i}`));
      const outputs = [0, 1, 2].map((i) => createBuffer(device, Math.max(16, count * 4), `out${i}`));
      await runKernel(device, adamAscend, {
        params: { count, ...step },
        x: inputs[0]!,
        gradient: inputs[1]!,
        m: inputs[2]!,
        v: inputs[3]!,
        xNext: outputs[0]!,
        mNext: outputs[1]!,
        vNext: outputs[2]!,
      });
      const want = adamAscendRef(x, gradient, m, v, step);
      expect(await readFloat32(device, outputs[0]!, count)).toBeAllClose(want.x, adamAscend.tolerance);
      expect(await readFloat32(device, outputs[1]!, count)).toBeAllClose(want.m, adamAscend.tolerance);
      expect(await readFloat32(device, outputs[2]!, count)).toBeAllClose(want.v, adamAscend.tolerance);
      [...inputs, ...outputs].forEach((b) => releaseBuffer(device, b));
      expect(liveBufferCount(device)).toBe(0);
    });
  }
});
