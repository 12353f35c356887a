// SPDX-License-Identifier: Apache-2.0
import { describe, expect } from 'vitest';
import { gpuTest, seededNormal } from '@webxai/testing';
import { runKernel } from '../runtime/kernel.js';
import { createBuffer, liveBufferCount, readUint32, releaseBuffer, uploadBuffer } from '../runtime/buffers.js';
import { magnitudeStatsRef, percentileFromHistogram } from './percentile.js';
import { SIGN_CODE, type SignMode } from './sign.ref.js';
import { topkMask } from './topk-mask.kernel.js';
import { MASK_CONTOUR, MASK_INSIDE, topkMaskRef } from './topk-mask.ref.js';

const SHAPES = [
  { width: 1, height: 1, why: 'one pixel' },
  { width: 13, height: 11, why: 'less than one workgroup' },
  { width: 37, height: 29, why: 'ragged last workgroup' },
  { width: 224, height: 224, why: 'a 224x224 attribution map' },
];

async function gpuMask(device: GPUDevice, values: Float32Array<ArrayBuffer>, width: number, height: number, sign: SignMode, topK: number) {
  const stats = magnitudeStatsRef(values, sign, 256);
  const thresholdBin = percentileFromHistogram(stats, 100 - topK).bin;
  const src = uploadBuffer(device, values, 'values');
  const mask = createBuffer(device, values.length * 4, 'mask');
  await runKernel(device, topkMask, {
    params: { width, height, sign: SIGN_CODE[sign], bins: 256, binScale: stats.binScale, thresholdBin },
    values: src,
    mask,
  });
  const out = await readUint32(device, mask, values.length);
  releaseBuffer(device, src);
  releaseBuffer(device, mask);
  const ref = topkMaskRef(values, width, height, sign, 256, stats.binScale, thresholdBin);
  return { out, ref, stats, thresholdBin };
}

describe('topk-mask', () => {
  gpuTest.for(
    SHAPES.map((s, i) => ({ ...s, sign: (['positive', 'both', 'absolute', 'negative'] as const)[i]!, topK: [100, 10, 25, 5][i]! })),
  )('equals topkMaskRef exactly: $width x $height ($why), sign $sign, top $topK%', async ({ width, height, sign, topK }, { device }) => {
    const values = seededNormal(width * height, width * 31 + height, 1);
    const { out, ref, stats, thresholdBin } = await gpuMask(device, values, width, height, sign, topK);
    expect(Array.from(out)).toEqual(Array.from(ref));
    // The mask holds exactly the pixels the histogram counts above the threshold bin: <= k%.
    const inside = out.reduce((n, m) => n + (m ? 1 : 0), 0);
    const above = stats.histogram.slice(thresholdBin + 1).reduce((a, b) => a + b, 0);
    expect(inside).toBe(above);
    expect(inside).toBeLessThanOrEqual(Math.ceil((topK / 100) * width * height));
    expect(liveBufferCount(device)).toBe(0);
  });

  gpuTest('a hot square gives a filled square with its border as the contour', async ({ device }) => {
    const width = 16;
    const values = new Float32Array(width * width);
    for (let y = 4; y < 8; y++) for (let x = 4; x < 8; x++) values[y * width + x] = 1; // 16 of 256 px = 6.25%
    const { out } = await gpuMask(device, values, width, width, 'positive', 10);
    for (let y = 0; y < width; y++) {
      for (let x = 0; x < width; x++) {
        const inSquare = x >= 4 && x < 8 && y >= 4 && y < 8;
        const border = inSquare && (x === 4 || x === 7 || y === 4 || y === 7);
        expect(out[y * width + x]).toBe(border ? MASK_CONTOUR : inSquare ? MASK_INSIDE : 0);
      }
    }
  });
});
