// SPDX-License-Identifier: Apache-2.0
import { describe, expect } from 'vitest';
import { gpuTest, seededF32 } from '@webxai/testing';
import { runKernel } from '../runtime/kernel.js';
import { createBuffer, liveBufferCount, readUint32, releaseBuffer, uploadBuffer } from '../runtime/buffers.js';
import { magnitudeMax } from './magnitude-max.kernel.js';
import { magnitudeMaxRef } from './magnitude-max.ref.js';
import { SIGN_CODE, type SignMode } from './sign.ref.js';

const SIZES = [
  { count: 1, why: 'one element' },
  { count: 200, why: 'less than one workgroup' },
  { count: 1000, why: 'ragged last workgroup' },
  { count: 224 * 224, why: 'a 224x224 attribution map' },
];
const SIGNS: SignMode[] = ['positive', 'negative', 'absolute', 'both'];

async function gpuMax(device: GPUDevice, values: Float32Array<ArrayBuffer>, sign: SignMode): Promise<number> {
  const src = uploadBuffer(device, values, 'values');
  const result = createBuffer(device, 4, 'result');
  await runKernel(device, magnitudeMax, { params: { count: values.length, sign: SIGN_CODE[sign] }, values: src, result });
  const bits = await readUint32(device, result, 1);
  releaseBuffer(device, src);
  releaseBuffer(device, result);
  return new Float32Array(bits.buffer)[0]!;
}

describe('magnitude-max', () => {
  gpuTest.for(SIZES.flatMap((s) => SIGNS.map((sign) => ({ ...s, sign }))))(
    'equals magnitudeMaxRef: $count ($why), sign $sign',
    async ({ count, sign }, { device }) => {
      const values = seededF32(count, count + 7, -3, 2);
      expect(await gpuMax(device, values, sign)).toBe(magnitudeMaxRef(values, sign));
      expect(liveBufferCount(device)).toBe(0);
    },
  );

  gpuTest('all-negative input: positive max is 0, negative max is the largest |v|', async ({ device }) => {
    const values = new Float32Array([-1, -0, -2.5, -0.25]);
    expect(await gpuMax(device, values, 'positive')).toBe(0);
    expect(await gpuMax(device, values, 'negative')).toBe(2.5);
  });
});
