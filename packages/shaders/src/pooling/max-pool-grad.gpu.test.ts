// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { gpuTest, seededF32, seededInts } from '@webxai/testing';
import { runKernel } from '../runtime/kernel.js';
import { runKernelSync } from '../runtime/kernel-sync.js';
import { createBuffer, liveBufferCount, readFloat32, releaseBuffer, uploadBuffer } from '../runtime/buffers.js';
import { maxPoolGrad, maxPoolGradInvocations, maxPoolGradTiles, maxPoolGradTilesCovers } from './max-pool-grad.kernel.js';
import { maxPool3dGeometry, maxPoolGeometry, maxPoolGradRef, type MaxPoolGeometry } from './max-pool-grad.ref.js';
import { poolQuadsParams } from './pool-quads.js';

type Shape = [number, number, number, number];

const CASES: { shape: Shape; filter: [number, number]; strides: [number, number]; padding: 'same' | 'valid'; why: string }[] = [
  { shape: [1, 1, 1, 1], filter: [1, 1], strides: [1, 1], padding: 'valid', why: 'one element' },
  { shape: [1, 4, 4, 1], filter: [2, 2], strides: [2, 2], padding: 'valid', why: 'less than one workgroup' },
  { shape: [2, 7, 5, 3], filter: [2, 2], strides: [2, 2], padding: 'valid', why: 'ragged: odd sizes drop the last row/column, batch 2' },
  { shape: [2, 7, 5, 3], filter: [2, 2], strides: [2, 2], padding: 'same', why: 'same padding at the bottom/right' },
  { shape: [1, 9, 11, 2], filter: [3, 3], strides: [2, 2], padding: 'same', why: 'overlapping windows, padding on every side' },
  { shape: [3, 8, 9, 4], filter: [3, 2], strides: [1, 2], padding: 'valid', why: 'non-square window, stride 1 rows' },
  { shape: [2, 28, 28, 8], filter: [2, 2], strides: [2, 2], padding: 'valid', why: 'MNIST-sized feature map, ragged last workgroup' },
  { shape: [4, 64, 64, 3], filter: [3, 3], strides: [2, 2], padding: 'same', why: 'a batch of 64x64 RGB images' },
  { shape: [2, 14, 14, 32], filter: [2, 2], strides: [2, 2], padding: 'valid', why: "the MNIST CNN's second pool: 8 channel groups" },
  { shape: [1, 9, 7, 5], filter: [3, 3], strides: [2, 2], padding: 'same', why: '5 channels: a last group of 1, overlapping windows' },
  { shape: [2, 6, 6, 7], filter: [2, 2], strides: [1, 1], padding: 'valid', why: '7 channels: a last group of 3, stride 1' },
];

type Shape5 = [number, number, number, number, number];

const CASES_3D: {
  shape: Shape5;
  filter: [number, number, number];
  strides: [number, number, number];
  padding: 'same' | 'valid';
  why: string;
}[] = [
  { shape: [1, 2, 2, 2, 1], filter: [2, 2, 2], strides: [2, 2, 2], padding: 'valid', why: 'one 2x2x2 window' },
  {
    shape: [1, 1, 3, 4, 1],
    filter: [1, 3, 2],
    strides: [1, 3, 2],
    padding: 'valid',
    why: 'window height != width (tfjs cpu drops this gradient)',
  },
  {
    shape: [2, 5, 6, 7, 3],
    filter: [2, 2, 2],
    strides: [2, 2, 2],
    padding: 'same',
    why: 'ragged, same padding at the back/bottom/right, batch 2',
  },
  {
    shape: [1, 6, 5, 5, 2],
    filter: [3, 3, 2],
    strides: [2, 1, 2],
    padding: 'same',
    why: 'overlapping windows along depth and rows, padding on every side',
  },
  {
    shape: [2, 8, 16, 16, 4],
    filter: [2, 3, 3],
    strides: [2, 2, 2],
    padding: 'valid',
    why: 'a batch of 8-slice volumes, several workgroups',
  },
];

/** Values from {-1, 0, 0.5, 1}: most windows hold ties, the case the tie rule is about. */
function tiedValues(length: number, seed: number): Float32Array<ArrayBuffer> {
  const levels = [-1, 0, 0.5, 1];
  return Float32Array.from(seededInts(length, seed, 0, levels.length), (k) => levels[k]!);
}

async function runGpu(
  device: GPUDevice,
  input: Float32Array<ArrayBuffer>,
  dy: Float32Array<ArrayBuffer>,
  g: MaxPoolGeometry,
  sync = false,
) {
  const count = g.batch * g.depth * g.height * g.width * g.channels;
  const x = uploadBuffer(device, input, 'input');
  const grad = uploadBuffer(device, dy, 'dy');
  const dx = createBuffer(device, count * 4, 'dx');
  const { batch: _batch, ...shape } = g;
  const args = { params: { count: maxPoolGradInvocations(g), ...shape }, input: x, dy: grad, dx };
  await (sync ? runKernelSync(device, maxPoolGrad, args) : runKernel(device, maxPoolGrad, args));
  const out = await readFloat32(device, dx, count);
  [x, grad, dx].forEach((b) => releaseBuffer(device, b));
  return out;
}

describe('max-pool-grad', () => {
  gpuTest.for(CASES)(
    'matches maxPoolGradRef with ties: $shape $filter/$strides $padding ($why)',
    async ({ shape, filter, strides, padding }, { device }) => {
      const g = maxPoolGeometry(shape, filter, strides, padding);
      const size = shape.reduce((a, b) => a * b, 1);
      const input = tiedValues(size, size);
      const dy = seededF32(g.batch * g.outHeight * g.outWidth * g.channels, 7, -2, 2);
      expect(await runGpu(device, input, dy, g)).toBeAllClose(maxPoolGradRef(input, dy, g), maxPoolGrad.tolerance);
      expect(liveBufferCount(device)).toBe(0);
    },
  );

  gpuTest.for(CASES_3D)(
    '3-D: matches maxPoolGradRef with ties: $shape $filter/$strides $padding ($why)',
    async ({ shape, filter, strides, padding }, { device }) => {
      const g = maxPool3dGeometry(shape, filter, strides, padding);
      const size = shape.reduce((a, b) => a * b, 1);
      const input = tiedValues(size, size + 1);
      const dy = seededF32(g.batch * g.outDepth * g.outHeight * g.outWidth * g.channels, 8, -2, 2);
      expect(await runGpu(device, input, dy, g)).toBeAllClose(maxPoolGradRef(input, dy, g), maxPoolGrad.tolerance);
      expect(liveBufferCount(device)).toBe(0);
    },
  );

  gpuTest('3-D: a window of equal values sends its gradient to its first (front, top-left) element', async ({ device }) => {
    const g = maxPool3dGeometry([1, 2, 2, 2, 1], [2, 2, 2], [2, 2, 2], 'valid');
    expect(Array.from(await runGpu(device, new Float32Array(8), Float32Array.from([3]), g))).toEqual([3, 0, 0, 0, 0, 0, 0, 0]);
    // A tie between the two slices' last cells goes to the front slice.
    expect(Array.from(await runGpu(device, Float32Array.from([0, 0, 0, 5, 0, 0, 0, 5]), Float32Array.from([1]), g))).toEqual([
      0, 0, 0, 1, 0, 0, 0, 0,
    ]);
  });

  gpuTest('matches maxPoolGradRef on distinct values (no ties)', async ({ device }) => {
    const g = maxPoolGeometry([2, 13, 10, 3], [3, 3], [2, 2], 'same');
    const input = seededF32(2 * 13 * 10 * 3, 3);
    const dy = seededF32(g.batch * g.outHeight * g.outWidth * g.channels, 4);
    expect(await runGpu(device, input, dy, g)).toBeAllClose(maxPoolGradRef(input, dy, g), maxPoolGrad.tolerance);
  });

  gpuTest('a window of equal values sends its gradient to its first (top-left) element', async ({ device }) => {
    // 4x4 image of zeros (ReLU output, black baseline), 2x2 windows: one gradient per window, at its top-left.
    const g = maxPoolGeometry([1, 4, 4, 1], [2, 2], [2, 2], 'valid');
    const dy = Float32Array.from([1, 2, 3, 4]);
    const out = await runGpu(device, new Float32Array(16), dy, g);
    expect(Array.from(out)).toEqual([1, 0, 2, 0, 0, 0, 0, 0, 3, 0, 4, 0, 0, 0, 0, 0]);
  });

  gpuTest('row-major order: a tie across rows goes to the upper row, within a row to the left', async ({ device }) => {
    const g = maxPoolGeometry([1, 2, 2, 1], [2, 2], [2, 2], 'valid');
    expect(Array.from(await runGpu(device, Float32Array.from([0, 5, 5, 5]), Float32Array.from([1]), g))).toEqual([0, 1, 0, 0]);
    expect(Array.from(await runGpu(device, Float32Array.from([0, 1, 5, 5]), Float32Array.from([1]), g))).toEqual([0, 0, 1, 0]);
  });

  gpuTest('NaN never wins; padding never wins', async ({ device }) => {
    const g = maxPoolGeometry([1, 3, 3, 1], [2, 2], [2, 2], 'same'); // 2x2 outputs, padding at bottom/right
    const input = Float32Array.from([NaN, -3, -2, -5, -1, -7, -9, -8, -6]);
    const out = await runGpu(device, input, Float32Array.from([1, 2, 3, 4]), g);
    expect(Array.from(out)).toEqual(Array.from(maxPoolGradRef(input, Float32Array.from([1, 2, 3, 4]), g)));
    expect(Array.from(out)).toEqual([0, 0, 2, 0, 1, 0, 0, 3, 4]);
  });

  gpuTest('runKernelSync gives the same bits as runKernel and leaks nothing', async ({ device }) => {
    const g = maxPoolGeometry([2, 9, 11, 2], [3, 3], [2, 2], 'same');
    const input = tiedValues(2 * 9 * 11 * 2, 5);
    const dy = seededF32(g.batch * g.outHeight * g.outWidth * g.channels, 6);
    expect(Array.from(await runGpu(device, input, dy, g, true))).toEqual(Array.from(await runGpu(device, input, dy, g)));
    expect(liveBufferCount(device)).toBe(0);
  });
});

const TILE_CASES: { shape: Shape; filter: [number, number]; padding: 'same' | 'valid'; why: string }[] = [
  { shape: [1, 4, 4, 4], filter: [2, 2], padding: 'valid', why: 'less than one workgroup' },
  { shape: [2, 7, 5, 8], filter: [2, 2], padding: 'valid', why: 'ragged: the last row / column no window covers get 0' },
  { shape: [2, 7, 5, 8], filter: [2, 2], padding: 'same', why: 'same padding at the bottom / right only' },
  { shape: [1, 28, 28, 16], filter: [2, 2], padding: 'valid', why: "the MNIST CNN's first pool" },
  { shape: [2, 14, 14, 32], filter: [2, 2], padding: 'valid', why: "the MNIST CNN's second pool, batch 2" },
  { shape: [3, 10, 9, 12], filter: [3, 2], padding: 'valid', why: 'non-square 3x2 tiles, a leftover row' },
];

/** Runs maxPoolGradTiles; dx starts as NaN so that an unwritten element shows. */
async function runTiles(device: GPUDevice, input: Float32Array<ArrayBuffer>, dy: Float32Array<ArrayBuffer>, g: MaxPoolGeometry) {
  const count = g.batch * g.height * g.width * g.channels;
  const buffers = [
    uploadBuffer(device, input, 'input'),
    uploadBuffer(device, dy, 'dy'),
    uploadBuffer(device, new Float32Array(count).fill(NaN), 'dx'),
  ] as const;
  await runKernel(device, maxPoolGradTiles, { params: poolQuadsParams(g), input: buffers[0], dy: buffers[1], dx: buffers[2] });
  const out = await readFloat32(device, buffers[2], count);
  buffers.forEach((b) => releaseBuffer(device, b));
  return out;
}

const bitsOf = (v: Float32Array) => Array.from(new Uint32Array(v.buffer, v.byteOffset, v.length));

/** dy with -0, infinities and NaN among ordinary values (max-pool-grad turns a lone -0 into +0). */
function edgyDy(length: number, seed: number): Float32Array<ArrayBuffer> {
  const levels = [-0, 0, -1.5, 2, Infinity, NaN];
  return Float32Array.from(seededInts(length, seed, 0, levels.length), (k) => levels[k]!);
}

describe('max-pool-grad-tiles (windows that tile the image)', () => {
  gpuTest.for(TILE_CASES)(
    'matches maxPoolGradRef and max-pool-grad bit for bit: $shape $filter $padding ($why)',
    async ({ shape, filter, padding }, { device }) => {
      const g = maxPoolGeometry(shape, filter, filter, padding);
      expect(maxPoolGradTilesCovers(g)).toBe(true);
      const size = shape.reduce((a, b) => a * b, 1);
      const input = tiedValues(size, size + 2);
      input[3] = NaN; // NaN never wins
      const outSize = g.batch * g.outHeight * g.outWidth * g.channels;
      const dy = seededF32(outSize, 9, -2, 2);
      expect(await runTiles(device, input, dy, g)).toBeAllClose(maxPoolGradRef(input, dy, g), maxPoolGradTiles.tolerance);
      const edgy = edgyDy(outSize, 10);
      expect(bitsOf(await runTiles(device, input, edgy, g))).toEqual(bitsOf(await runGpu(device, input, edgy, g)));
      expect(liveBufferCount(device)).toBe(0);
    },
  );

  gpuTest('covers only tiling 2-D pools of 4k channels', () => {
    expect(maxPoolGradTilesCovers(maxPoolGeometry([1, 8, 8, 4], [2, 2], [2, 2], 'valid'))).toBe(true);
    expect(maxPoolGradTilesCovers(maxPoolGeometry([1, 8, 8, 3], [2, 2], [2, 2], 'valid'))).toBe(false); // 3 channels
    expect(maxPoolGradTilesCovers(maxPoolGeometry([1, 9, 9, 4], [3, 3], [2, 2], 'same'))).toBe(false); // overlapping
    expect(maxPoolGradTilesCovers(maxPoolGeometry([1, 7, 7, 4], [3, 3], [3, 3], 'same'))).toBe(false); // padding on top
    expect(maxPoolGradTilesCovers(maxPool3dGeometry([1, 2, 4, 4, 4], [2, 2, 2], [2, 2, 2], 'valid'))).toBe(false); // 3-D
  });
});

describe('maxPoolGeometry (TensorFlow padding rules)', () => {
  it('3-D: depth follows the same rules; 2-D is depth 1', () => {
    expect(maxPool3dGeometry([1, 5, 9, 11, 1], [2, 3, 3], [2, 2, 2], 'same')).toMatchObject({
      outDepth: 3,
      outHeight: 5,
      outWidth: 6,
      padFront: 0,
      padTop: 1,
      padLeft: 1,
    });
    expect(maxPoolGeometry([1, 7, 5, 1], [2, 2], [2, 2], 'valid')).toMatchObject({
      depth: 1,
      outDepth: 1,
      filterDepth: 1,
      strideDepth: 1,
      padFront: 0,
    });
  });
  it('valid and same output sizes and padding', () => {
    expect(maxPoolGeometry([1, 7, 5, 1], [2, 2], [2, 2], 'valid')).toMatchObject({ outHeight: 3, outWidth: 2, padTop: 0, padLeft: 0 });
    expect(maxPoolGeometry([1, 7, 5, 1], [2, 2], [2, 2], 'same')).toMatchObject({ outHeight: 4, outWidth: 3, padTop: 0, padLeft: 0 });
    expect(maxPoolGeometry([1, 9, 11, 1], [3, 3], [2, 2], 'same')).toMatchObject({ outHeight: 5, outWidth: 6, padTop: 1, padLeft: 1 });
  });
});
