// SPDX-License-Identifier: Apache-2.0
import { afterEach, describe, expect, it, vi } from 'vitest';
import { perturbBatchRef, riseMasksRef, type RiseGeometry } from '@webxai/shaders';
import { nhwcToNchw } from '../../model/onnx/from-onnx.js';
import type { HostStaging } from '../shared/evaluate.js';
import { acquireHostBatch, wasmMemoryOf } from '../shared/host-batch-pool.js';
import { RiseHost } from './rise-cpu.js';
import { riseSamples } from './rise.js';

/** The f32 bits of every value: tells -0 from +0 (and any other difference) exactly. */
const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

/**
 * Image values with the cases a write can get wrong: -0 (kept where the mask is 1), negative
 * subnormals (a mask value below 1 times them underflows: +0 in the reference), +0, ordinary values.
 */
function awkwardImage(length: number): Float32Array {
  const special = [-0, -1.4e-45, -3e-39, 0, 1.4e-45, 5e-39, -2.5, 7];
  return Float32Array.from({ length }, (_, i) => (i % 3 === 0 ? special[(i / 3) % special.length]! : Math.sin(i) * 3));
}

/** A batch of `count` images plus RiseHost's staging room, in a WebAssembly.Memory (as evaluateBatches makes it). */
function stagedBatch(host: RiseHost, perImage: number, count: number): { batch: Float32Array; staging: HostStaging } {
  const room = host.writer().staging!;
  const whole = acquireHostBatch(count * perImage + room, true);
  const memory = wasmMemoryOf(whole);
  expect(memory).toBeDefined();
  return { batch: whole.subarray(0, count * perImage), staging: { whole, offset: count * perImage, memory: memory! } };
}

describe('RiseHost writers', () => {
  afterEach(() => vi.unstubAllGlobals());
  // width 9: two SIMD groups of 4 and a one-pixel tail; width 3: the tail only; width 16: no tail.
  const cases: RiseGeometry[] = [
    { height: 13, width: 9, cell: 4, gridH: 4, gridW: 3 },
    { height: 5, width: 3, cell: 2, gridH: 3, gridW: 2 },
    { height: 6, width: 16, cell: 5, gridH: 2, gridW: 4 },
  ];

  it('WebAssembly and JS write perturbBatchRef of riseMasksRef bit for bit (NCHW, NHWC; -0 kept where m = 1, +0 where m x underflows)', () => {
    let [keptNegativeZeros, underflows] = [0, 0];
    for (const [g, layout] of cases.flatMap((g) => (['nchw', 'nhwc'] as const).map((l) => [g, l] as const))) {
      const pixels = g.height * g.width;
      const perImage = pixels * 3;
      const { grids, shifts } = riseSamples(5, 12, g, 0.5);
      const image = awkwardImage(perImage);
      const masks = riseMasksRef(g, grids, shifts, 0, 12);
      const nhwc = perturbBatchRef({ image, fill: new Float32Array(perImage), masks, maskStride: pixels, pixels, channels: 3, count: 12 });
      for (let i = 0; i < 12 * perImage; i++) {
        const [m, x] = [masks[Math.floor(i / 3)]!, image[i % perImage]!];
        if (m === 1 && Object.is(x, -0)) keptNegativeZeros++;
        if (m !== 0 && m !== 1 && x < 0 && Object.is(nhwc[i], 0)) underflows++;
      }
      const want = layout === 'nchw' ? nhwcToNchw(nhwc, 12, pixels, 3) : nhwc;
      const wasm = new RiseHost(g, grids, shifts, image, 3, 5);
      const js = new RiseHost(g, grids, shifts, image, 3, 5);
      const { batch, staging } = stagedBatch(wasm, perImage, 5);
      const plain = new Float32Array(5 * perImage);
      // Batches of one loop (5, 5, 2): the staged image is written once and reused.
      for (let first = 0; first < 12; first += 5) {
        const count = Math.min(5, 12 - first);
        wasm.write(batch.subarray(0, count * perImage), first, count, layout, staging);
        expect(wasm.lastWrite).toBe('wasm');
        js.write(plain.subarray(0, count * perImage), first, count, layout);
        expect(js.lastWrite).toBe('js');
        const expected = bits(want.subarray(first * perImage, (first + count) * perImage));
        expect(bits(batch.subarray(0, count * perImage))).toEqual(expected);
        expect(bits(plain.subarray(0, count * perImage))).toEqual(expected);
        const weights = Float64Array.from({ length: count }, (_, b) => 0.3 - b);
        wasm.accumulate(first, weights);
        js.accumulate(first, weights);
      }
      // The sums read the x-interpolated rows the WebAssembly writer left in the staging room.
      expect(Array.from(wasm.sum())).toEqual(Array.from(js.sum()));
    }
    // The awkward values did reach both special cases.
    expect(keptNegativeZeros).toBeGreaterThan(0);
    expect(underflows).toBeGreaterThan(0);
  });

  it('the JS writers give the reference bits in NHWC too (1, 3 and 4 channels, awkward values)', () => {
    for (const [g, channels] of cases.flatMap((g) => [1, 3, 4].map((c) => [g, c] as const))) {
      const pixels = g.height * g.width;
      const { grids, shifts } = riseSamples(6, 4, g, 0.5);
      const image = awkwardImage(pixels * channels);
      const masks = riseMasksRef(g, grids, shifts, 0, 4);
      const want = perturbBatchRef({ image, fill: new Float32Array(image.length), masks, maskStride: pixels, pixels, channels, count: 4 });
      const host = new RiseHost(g, grids, shifts, image, channels, 4);
      const nhwc = new Float32Array(4 * pixels * channels);
      host.write(nhwc, 0, 4, 'nhwc');
      expect(bits(nhwc)).toEqual(bits(want));
      const nchw = new Float32Array(4 * pixels * channels);
      host.write(nchw, 0, 4, 'nchw');
      expect(bits(nchw)).toEqual(bits(nhwcToNchw(want, 4, pixels, channels)));
    }
  });

  it('falls back to JS, with the same bits, without staging in a WebAssembly.Memory or without WebAssembly', () => {
    const g = cases[0]!;
    const perImage = g.height * g.width * 3;
    const { grids, shifts } = riseSamples(7, 4, g, 0.5);
    const image = awkwardImage(perImage);
    const wasm = new RiseHost(g, grids, shifts, image, 3, 4);
    const { batch, staging } = stagedBatch(wasm, perImage, 4);
    wasm.write(batch, 0, 4, 'nchw', staging);
    expect(wasm.lastWrite).toBe('wasm');
    const want = bits(batch);
    // Staging in a plain buffer (no memory): JS.
    const whole = new Float32Array(staging.whole.length);
    const plainStaged = new RiseHost(g, grids, shifts, image, 3, 4);
    plainStaged.write(whole.subarray(0, 4 * perImage), 0, 4, 'nchw', { whole, offset: staging.offset });
    expect(plainStaged.lastWrite).toBe('js');
    expect(bits(whole.subarray(0, 4 * perImage))).toEqual(want);
    // An engine without WebAssembly: the pool hands out plain buffers, and a memory's staging is written in JS.
    vi.stubGlobal('WebAssembly', undefined);
    expect(wasmMemoryOf(acquireHostBatch(16, true))).toBeUndefined();
    batch.fill(-9);
    const noWasm = new RiseHost(g, grids, shifts, image, 3, 4);
    noWasm.write(batch, 0, 4, 'nchw', staging);
    expect(noWasm.lastWrite).toBe('js');
    expect(bits(batch)).toEqual(want);
  });

  it('asks for staging in a WebAssembly.Memory for 3 channels only', () => {
    const g = cases[0]!;
    const { grids, shifts } = riseSamples(7, 4, g, 0.5);
    const pixels = g.height * g.width;
    expect(new RiseHost(g, grids, shifts, new Float32Array(pixels * 3), 3, 4).writer()).toMatchObject({
      staging: 3 * pixels + 1 + 2 * 4 * g.gridH * g.width,
      wasmMemory: true,
    });
    expect(new RiseHost(g, grids, shifts, new Float32Array(pixels), 1, 4).writer()).not.toHaveProperty('staging');
  });
});
