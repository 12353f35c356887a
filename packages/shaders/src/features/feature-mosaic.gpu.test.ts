// SPDX-License-Identifier: Apache-2.0
import { describe, expect } from 'vitest';
import { gpuTest, seededF32, seededInts } from '@webxai/testing';
import { runKernel } from '../runtime/kernel.js';
import { createBuffer, liveBufferCount, readFloat32, releaseBuffer, uploadBuffer } from '../runtime/buffers.js';
import { featureMosaic } from './feature-mosaic.kernel.js';
import { featureMosaicRef, mosaicSize, type FeatureMosaicShape } from './feature-mosaic.ref.js';

async function runMosaic(
  device: GPUDevice,
  act: Float32Array<ArrayBuffer>,
  order: Uint32Array<ArrayBuffer>,
  shape: FeatureMosaicShape,
  background: number,
) {
  const [outH, outW] = mosaicSize(shape);
  const a = uploadBuffer(device, act, 'act');
  const o = uploadBuffer(device, order, 'order');
  const out = createBuffer(device, Math.max(16, shape.images * outH * outW * 4), 'mosaic');
  await runKernel(device, featureMosaic, { params: { ...shape, background }, act: a, order: o, mosaic: out });
  const result = await readFloat32(device, out, shape.images * outH * outW);
  [a, o, out].forEach((b) => releaseBuffer(device, b));
  return result;
}

/** A seeded permutation of 0..k-1 per image. */
function shuffledOrder(images: number, k: number, seed: number): Uint32Array<ArrayBuffer> {
  const order = new Uint32Array(images * k);
  const swaps = seededInts(images * k, seed, 0, 1 << 30);
  for (let n = 0; n < images; n++) {
    const row = Array.from({ length: k }, (_, i) => i);
    for (let i = k - 1; i > 0; i--) {
      const j = swaps[n * k + i]! % (i + 1);
      [row[i], row[j]] = [row[j]!, row[i]!];
    }
    order.set(row, n * k);
  }
  return order;
}

const CASES: (FeatureMosaicShape & { why: string })[] = [
  { images: 1, height: 1, width: 1, channels: 1, rows: 1, cols: 1, pad: 0, why: 'one element' },
  { images: 1, height: 3, width: 2, channels: 5, rows: 2, cols: 3, pad: 1, why: 'less than one workgroup per tile, one empty slot' },
  { images: 3, height: 9, width: 11, channels: 7, rows: 3, cols: 3, pad: 2, why: 'ragged strides, 3 images, two empty slots' },
  { images: 2, height: 28, width: 28, channels: 32, rows: 6, cols: 6, pad: 1, why: 'MNIST conv layer' },
  { images: 1, height: 56, width: 56, channels: 64, rows: 8, cols: 8, pad: 1, why: 'realistic early layer at 224' },
  { images: 2, height: 7, width: 7, channels: 320, rows: 18, cols: 18, pad: 0, why: 'MobileNetV2 last block, no gaps' },
];

describe('feature-mosaic', () => {
  gpuTest.for(CASES)('matches featureMosaicRef: $why', async ({ why: _, ...shape }, { device }) => {
    const act = seededF32(shape.images * shape.height * shape.width * shape.channels, shape.channels + 3, -2, 5);
    const order = shuffledOrder(shape.images, shape.channels, shape.height);
    const got = await runMosaic(device, act, order, shape, 0.25);
    const want = featureMosaicRef(act, order, shape, 0.25);
    expect(got).toBeAllClose(want, featureMosaic.tolerance);
    expect(liveBufferCount(device)).toBe(0);
  });

  gpuTest('each tile spans exactly [0, 1]; a constant channel shows 0; gaps are the background', async ({ device }) => {
    const shape = { images: 1, height: 4, width: 4, channels: 3, rows: 2, cols: 2, pad: 1 };
    const act = seededF32(48, 5, -1, 1);
    for (let p = 0; p < 16; p++) act[p * 3 + 1] = 7; // channel 1 constant
    const got = await runMosaic(device, act, Uint32Array.from([0, 1, 2]), shape, -1);
    const [outH, outW] = mosaicSize(shape);
    expect([outH, outW]).toEqual([9, 9]);
    const tile = (slot: number) =>
      Array.from({ length: 16 }, (_, i) => got[(Math.floor(slot / 2) * 5 + Math.floor(i / 4)) * outW + (slot % 2) * 5 + (i % 4)]!);
    for (const slot of [0, 2]) {
      expect(Math.min(...tile(slot))).toBe(0);
      expect(Math.max(...tile(slot))).toBeCloseTo(1, 6);
    }
    expect(new Set(tile(1))).toEqual(new Set([0]));
    expect(new Set(tile(3))).toEqual(new Set([-1])); // empty slot
    expect(Array.from({ length: 9 }, (_, x) => got[4 * outW + x])).toEqual(new Array(9).fill(-1)); // gap row
  });
});
