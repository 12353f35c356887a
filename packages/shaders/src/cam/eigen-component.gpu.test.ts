// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { gpuTest, seededF32 } from '@webxai/testing';
import { runKernel } from '../runtime/kernel.js';
import { createBuffer, liveBufferCount, readFloat32, releaseBuffer, uploadBuffer } from '../runtime/buffers.js';
import { EIGEN_COMPONENT_STOPPING, eigenComponent, eigenComponentFor, eigenComponentWorkSize } from './eigen-component.kernel.js';
import { eigenComponentRef, type EigenComponentShape } from './eigen-component.ref.js';

async function run(device: GPUDevice, act: Float32Array<ArrayBuffer>, shape: EigenComponentShape, swiftShader = false) {
  const { images, positions, channels } = shape;
  const kernel = eigenComponentFor(swiftShader, Math.min(positions, channels));
  const a = uploadBuffer(device, act, 'act');
  const work = createBuffer(device, images * eigenComponentWorkSize(positions, channels) * 4, 'work');
  const projection = createBuffer(device, images * positions * 4, 'projection');
  const unit = createBuffer(device, images * 4, 'unit');
  await runKernel(device, kernel, {
    params: { ...shape, ...EIGEN_COMPONENT_STOPPING },
    act: a,
    work,
    projection,
    unit,
  });
  const out = { projection: await readFloat32(device, projection, images * positions), unit: await readFloat32(device, unit, images) };
  [a, work, projection, unit].forEach((b) => releaseBuffer(device, b));
  return out;
}

/**
 * Activations with a dominant principal component: x[p, k] = a_p b_k + 0.05 noise (a, b in [0, 1)
 * plus an offset, as post-ReLU activations), so the spectral gap is wide and the sign well defined.
 */
function dominant({ images, positions, channels }: EigenComponentShape, seed: number): Float32Array<ArrayBuffer> {
  const act = new Float32Array(images * positions * channels);
  for (let n = 0; n < images; n++) {
    const a = seededF32(positions, seed + n, 0, 1);
    const b = seededF32(channels, seed + 50 + n, 0.2, 1);
    const noise = seededF32(positions * channels, seed + 100 + n, -0.05, 0.05);
    for (let i = 0; i < positions * channels; i++) {
      act[n * positions * channels + i] = a[Math.floor(i / channels)]! * b[i % channels]! + noise[i]!;
    }
  }
  return act;
}

const CASES = [
  { images: 1, positions: 1, channels: 1, why: 'one element (a zero Gram matrix)' },
  { images: 1, positions: 15, channels: 3, why: 'channels x channels Gram, less than one workgroup' },
  { images: 3, positions: 49, channels: 64, why: "positions x positions Gram (the MNIST CNN's 7 x 7 x 64), 3 images" },
  { images: 1, positions: 300, channels: 20, why: 'ragged: more positions than invocations' },
  { images: 1, positions: 70, channels: 90, why: 'ragged: a 70 x 70 Gram over positions' },
];

/**
 * Both workgroup sizes of eigenComponentFor: 64 invocations an image, and SwiftShader's one SIMD group
 * of 4 (the cases' sizes take vector capacities 64 and 128).
 */
const VARIANTS = [
  { variant: 'workgroup of 64', swiftShader: false },
  { variant: 'workgroup of 4', swiftShader: true },
];

describe('eigen-component', () => {
  gpuTest.for(VARIANTS.flatMap((v) => CASES.map((c) => ({ ...c, ...v }))))(
    'matches eigenComponentRef: $why, $variant',
    async ({ images, positions, channels, swiftShader }, { device }) => {
      const shape = { images, positions, channels };
      const act = dominant(shape, positions + channels);
      const got = await run(device, act, shape, swiftShader);
      const ref = eigenComponentRef(act, shape);
      expect(got.projection).toBeAllClose(ref.projection, eigenComponent.tolerance);
      expect(Array.from(got.unit)).toEqual(new Array(images).fill(1));
      expect(Array.from(ref.unit)).toEqual(new Array(images).fill(1));
      expect(liveBufferCount(device)).toBe(0);
    },
  );

  it('the reference: a rank-one activation projects to (a - mean a) |b|, both Gram forms', () => {
    // Centred, a b^T is (a - mean a) b^T, whose first right singular vector is b / |b| (sign: sum b > 0).
    const a = [0.1, 0.7, 0.3, 0.9, 0.5];
    const mean = a.reduce((s, x) => s + x, 0) / a.length;
    for (const b of [[0.5, 2, 1], Array.from({ length: 8 }, (_, k) => 0.1 + (k % 4) * 0.3)]) {
      const act = a.flatMap((ap) => b.map((bk) => ap * bk));
      const { projection } = eigenComponentRef(act, { images: 1, positions: a.length, channels: b.length });
      expect(projection, `${b.length} channels`).toBeAllClose(
        a.map((ap) => (ap - mean) * Math.hypot(...b)),
        { abs: 1e-6, rel: 1e-5 },
      );
    }
  });

  gpuTest('marks an image NaN whose activations hold a NaN or Inf or whose Gram matrix overflows f32', async ({ device }) => {
    const shape = { images: 4, positions: 9, channels: 12 };
    const act = dominant(shape, 3);
    const size = shape.positions * shape.channels;
    act[size + 5] = NaN;
    act[2 * size + 7] = Infinity;
    for (let i = 3 * size; i < 4 * size; i++) act[i]! *= i % 2 ? 1e20 : -1e20; // centred ~1e20: squares overflow
    for (const { swiftShader } of VARIANTS) {
      const got = await run(device, act, shape, swiftShader);
      const ref = eigenComponentRef(act, shape);
      expect(Array.from(got.unit, Number.isNaN)).toEqual([false, true, true, true]);
      expect(Array.from(ref.unit, Number.isNaN)).toEqual([false, true, true, true]);
      expect(got.unit[0]).toBe(1);
      // Image 0's projection is unaffected by the others.
      expect(got.projection.subarray(0, 9)).toBeAllClose(ref.projection.subarray(0, 9), eigenComponent.tolerance);
    }
    expect(liveBufferCount(device)).toBe(0);
  });

  gpuTest('flips the sign to follow the centred channel sum; constant activations give a zero projection', async ({ device }) => {
    const shape = { images: 2, positions: 6, channels: 8 };
    const act = dominant(shape, 11);
    const flipped = act.map((x, i) => (i < 48 ? x : -x)); // image 1: -x has the opposite channel sums
    const got = await run(device, flipped, shape);
    // The component of -x is the component of x; the sign makes its projection the negation.
    expect(got.projection.subarray(6, 12)).toBeAllClose(
      eigenComponentRef(act, shape)
        .projection.subarray(6, 12)
        .map((x) => -x),
      eigenComponent.tolerance,
    );
    const constant = await run(device, new Float32Array(48).fill(0.75), { images: 1, positions: 6, channels: 8 });
    expect(constant.projection.every((x) => x === 0)).toBe(true); // +0 or -0
    expect(constant.unit[0]).toBe(1);
  });
});
