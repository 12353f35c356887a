// SPDX-License-Identifier: Apache-2.0
import { describe, expect } from 'vitest';
import { gpuTest, seededF32 } from '@webxai/testing';
import { KernelBatch } from '../runtime/batch.js';
import { createBuffer, liveBufferCount, readFloat32, releaseBuffer, uploadBuffer } from '../runtime/buffers.js';
import { adamAscendQuads, recordAdamStep } from './adam-ascend.kernel.js';
import { adamAscendRef } from './adam-ascend.ref.js';

describe('adam-ascend and adam-ascend-quads (recordAdamStep)', () => {
  // Fewer than a quad (tail only), whole quads only, quads and a tail of 1-3, several workgroups;
  // the first step (m = v = 0) and a later one.
  for (const [count, first] of [
    [1, true],
    [3, false],
    [4, true],
    [300, true],
    [301, false],
    [5002, false],
    [5003, true],
  ] as const) {
    gpuTest(`${count} parameters, ${first ? 'first step' : 'later step'}: equals the f64 step`, async ({ device }) => {
      const x = seededF32(count, count, -1, 1);
      const gradient = seededF32(count, count + 1, -2, 2);
      const m = first ? new Float32Array(count) : seededF32(count, count + 2, -0.5, 0.5);
      const v = first ? new Float32Array(count) : seededF32(count, count + 3, 0, 0.5);
      const t = first ? 1 : 7;
      const step = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, rate: (0.05 * Math.sqrt(1 - 0.999 ** t)) / (1 - 0.9 ** t) };
      const inputs = [x, gradient, m, v].map((a, i) => uploadBuffer(device, a, `in${i}`));
      // Outputs of exactly 4 count bytes (16 at least): with a partial last quad, the quads' vec4 views end before it.
      const outputs = [0, 1, 2].map((i) => createBuffer(device, Math.max(16, count * 4), `out${i}`));
      const batch = new KernelBatch(device, 'adam-step');
      recordAdamStep(batch, {
        params: { count, ...step },
        x: inputs[0]!,
        gradient: inputs[1]!,
        m: inputs[2]!,
        v: inputs[3]!,
        xNext: outputs[0]!,
        mNext: outputs[1]!,
        vNext: outputs[2]!,
      });
      expect(batch.kernelNames).toEqual([...(count >= 4 ? ['adam-ascend-quads'] : []), ...(count % 4 ? ['adam-ascend'] : [])]);
      await batch.submit();
      const want = adamAscendRef(x, gradient, m, v, step);
      const tolerance = adamAscendQuads.tolerance; // adam-ascend's too: the two share adamUpdate
      expect(await readFloat32(device, outputs[0]!, count)).toBeAllClose(want.x, tolerance);
      expect(await readFloat32(device, outputs[1]!, count)).toBeAllClose(want.m, tolerance);
      expect(await readFloat32(device, outputs[2]!, count)).toBeAllClose(want.v, tolerance);
      [...inputs, ...outputs].forEach((b) => releaseBuffer(device, b));
      expect(liveBufferCount(device)).toBe(0);
    });
  }
});
