// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { gpuTest, seededF32 } from '@webxai/testing';
import { runKernel } from '../runtime/kernel.js';
import { createBuffer, liveBufferCount, readFloat32, releaseBuffer, uploadBuffer } from '../runtime/buffers.js';
import {
  EIGEN_COMPONENT_STOPPING,
  eigenComponent,
  eigenComponentFor,
  eigenComponentWorkSize,
  type EigenMapOptions,
} from './eigen-component.kernel.js';
import { eigenComponentRef, signConventionRef, type EigenComponentShape } from './eigen-component.ref.js';
import { camMapRef } from './cam-map.ref.js';

/** An activation batch `[images, height, width, channels]` and the output size of its maps. */
interface MapShape {
  readonly images: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly outHeight?: number;
  readonly outWidth?: number;
}

const flat = ({ images, height, width, channels }: MapShape): EigenComponentShape => ({ images, positions: height * width, channels });

/** The kernel's outputs, with unit and projection read from the head of each image's `work`. */
async function run(
  device: GPUDevice,
  act: Float32Array<ArrayBuffer>,
  shape: MapShape,
  swiftShader = false,
  options: EigenMapOptions = { sign: 'channel-sum', finalNormalise: false },
) {
  const { images, height, width, channels, outHeight = height, outWidth = width } = shape;
  const positions = height * width;
  const kernel = eigenComponentFor(swiftShader, Math.min(positions, channels), options);
  const workSize = eigenComponentWorkSize(positions, channels);
  const a = uploadBuffer(device, act, 'act');
  const work = createBuffer(device, images * workSize * 4, 'work');
  const map = createBuffer(device, images * positions * 4, 'map');
  const output = createBuffer(device, images * outHeight * outWidth * 4, 'output');
  const peaks = createBuffer(device, images * 4, 'peaks');
  await runKernel(device, kernel, {
    params: { images, height, width, channels, outHeight, outWidth, ...EIGEN_COMPONENT_STOPPING },
    act: a,
    work,
    map,
    output,
    peaks,
  });
  const scratch = await readFloat32(device, work, images * workSize);
  const heads = Array.from({ length: images }, (_, n) => scratch.subarray(n * workSize, n * workSize + 1 + positions));
  const out = {
    unit: Float32Array.from(heads, (head) => head[0]!),
    projection: Float32Array.from(heads.flatMap((head) => Array.from(head.subarray(1)))),
    map: await readFloat32(device, map, images * positions),
    output: await readFloat32(device, output, images * outHeight * outWidth),
    peaks: await readFloat32(device, peaks, images),
  };
  [a, work, map, output, peaks].forEach((b) => releaseBuffer(device, b));
  return out;
}

/**
 * Activations with a dominant principal component: x[p, k] = a_p b_k + 0.05 noise (a, b in [0, 1)
 * plus an offset, as post-ReLU activations), so the spectral gap is wide and the sign well defined.
 */
function dominant(shape: MapShape, seed: number): Float32Array<ArrayBuffer> {
  const { images, positions, channels } = flat(shape);
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
  { images: 1, height: 1, width: 1, channels: 1, why: 'one element (a zero Gram matrix)' },
  { images: 1, height: 5, width: 3, channels: 3, why: 'channels x channels Gram, less than one workgroup' },
  { images: 3, height: 7, width: 7, channels: 64, why: "positions x positions Gram (the MNIST CNN's 7 x 7 x 64), 3 images" },
  { images: 1, height: 20, width: 15, channels: 20, why: 'ragged: more positions than invocations' },
  { images: 1, height: 7, width: 10, channels: 90, why: 'ragged: a 70 x 70 Gram over positions' },
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
    async ({ images, height, width, channels, swiftShader }, { device }) => {
      const shape = { images, height, width, channels };
      const act = dominant(shape, height * width + channels);
      const got = await run(device, act, shape, swiftShader);
      const ref = eigenComponentRef(act, flat(shape));
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

  gpuTest(
    'a second component close to the first (slow convergence, the shift at work): kernel and reference near the exact component',
    async ({ device }) => {
      // x = a1 b1^T + 0.9 a2 b2^T + noise, a and b in [-1, 1): lambda_2 / lambda_1 = 0.80 (f64), where
      // plain power iteration takes 65 steps; the shifted one must still end at the leading component.
      const shape = { images: 1, height: 7, width: 7, channels: 64 };
      const [a1, a2] = [seededF32(49, 1, -1, 1), seededF32(49, 2, -1, 1)];
      const [b1, b2] = [seededF32(64, 3, -1, 1), seededF32(64, 4, -1, 1)];
      const noise = seededF32(49 * 64, 5, -0.02, 0.02);
      const act = Float32Array.from({ length: 49 * 64 }, (_, i) => {
        const [p, k] = [Math.floor(i / 64), i % 64];
        return a1[p]! * b1[k]! + 0.9 * a2[p]! * b2[k]! + noise[i]!;
      });
      const exact = eigenComponentRef(act, flat(shape), { iterations: 100_000, tolerance: 1e-13 });
      for (const { swiftShader } of VARIANTS) {
        const got = await run(device, act, shape, swiftShader);
        expect(got.projection).toBeAllClose(exact.projection, eigenComponent.tolerance);
      }
      expect(eigenComponentRef(act, flat(shape)).projection).toBeAllClose(exact.projection, eigenComponent.tolerance);
      expect(liveBufferCount(device)).toBe(0);
    },
  );

  gpuTest('marks an image NaN whose activations hold a NaN or Inf or whose Gram matrix overflows f32', async ({ device }) => {
    const shape = { images: 4, height: 3, width: 3, channels: 12 };
    const act = dominant(shape, 3);
    const size = 9 * shape.channels;
    act[size + 5] = NaN;
    act[2 * size + 7] = Infinity;
    for (let i = 3 * size; i < 4 * size; i++) act[i]! *= i % 2 ? 1e20 : -1e20; // centred ~1e20: squares overflow
    for (const { swiftShader } of VARIANTS) {
      const got = await run(device, act, shape, swiftShader);
      const ref = eigenComponentRef(act, flat(shape));
      expect(Array.from(got.unit, Number.isNaN)).toEqual([false, true, true, true]);
      // The epilogue's weight: their peaks come out NaN (the host's ModelError), image 0's is finite.
      expect(Array.from(got.peaks, Number.isNaN)).toEqual([false, true, true, true]);
      expect(Array.from(ref.unit, Number.isNaN)).toEqual([false, true, true, true]);
      expect(got.unit[0]).toBe(1);
      // Image 0's projection is unaffected by the others.
      expect(got.projection.subarray(0, 9)).toBeAllClose(ref.projection.subarray(0, 9), eigenComponent.tolerance);
    }
    expect(liveBufferCount(device)).toBe(0);
  });

  gpuTest('flips the sign to follow the centred channel sum; constant activations give a zero projection', async ({ device }) => {
    const shape = { images: 2, height: 2, width: 3, channels: 8 };
    const act = dominant(shape, 11);
    const flipped = act.map((x, i) => (i < 48 ? x : -x)); // image 1: -x has the opposite channel sums
    const got = await run(device, flipped, shape);
    // The component of -x is the component of x; the sign makes its projection the negation.
    expect(got.projection.subarray(6, 12)).toBeAllClose(
      eigenComponentRef(act, flat(shape))
        .projection.subarray(6, 12)
        .map((x) => -x),
      eigenComponent.tolerance,
    );
    const constant = await run(device, new Float32Array(48).fill(0.75), { images: 1, height: 2, width: 3, channels: 8 });
    expect(constant.projection.every((x) => x === 0)).toBe(true); // +0 or -0
    expect(constant.unit[0]).toBe(1);
  });

  // The epilogue: cam-map's 'channel' weighting with K = 1 of the signed projection and weight unit.
  const MAP_CASES = [
    { images: 3, height: 7, width: 7, channels: 64, outHeight: 28, outWidth: 28, why: "the MNIST CNN's 7 x 7 x 64 -> 28 x 28, 3 images" },
    { images: 2, height: 20, width: 15, channels: 20, outHeight: 30, outWidth: 25, why: 'X v form, ragged positions and pixels' },
  ];
  const SIGNS = ['channel-sum', 'negative-channel-sum', 'max-abs'] as const;

  gpuTest.for(MAP_CASES.flatMap((c) => VARIANTS.map((v) => ({ ...c, ...v }))))(
    "maps match camMapRef of the reference's signed projection, every sign convention and normalisation: $why, $variant",
    async ({ why: _, variant: __, swiftShader, ...shape }, { device }) => {
      const positions = shape.height * shape.width;
      const size = positions * shape.channels;
      // Image 1 is -image 0: its channel-sum projection is the negation, so max-abs flips exactly one of them.
      const base = dominant(shape, shape.height + shape.channels);
      const act = base.map((x, i) => (i < size || i >= 2 * size ? x : -base[i - size]!));
      const ref = eigenComponentRef(act, flat(shape));
      const signed = SIGNS.map((sign) => signConventionRef(ref.projection, positions, sign));
      // max-abs flips some image and keeps another (else its test could not tell it from the other two).
      const flips = Array.from({ length: shape.images }, (_, n) => signed[2]![n * positions] !== signed[0]![n * positions]);
      expect(flips).toContain(true);
      expect(flips).toContain(false);
      for (const [s, sign] of SIGNS.entries()) {
        for (const finalNormalise of [false, true]) {
          const got = await run(device, act, shape, swiftShader, { sign, finalNormalise });
          const want = camMapRef(signed[s]!, ref.unit, { ...shape, channels: 1 }, 'channel', finalNormalise);
          const label = `${sign}, finalNormalise ${finalNormalise}`;
          expect(got.map, label).toBeAllClose(want.map, eigenComponent.tolerance);
          expect(got.output, label).toBeAllClose(want.output, eigenComponent.tolerance);
          expect(got.peaks, label).toBeAllClose(want.peaks, eigenComponent.tolerance);
        }
      }
      expect(liveBufferCount(device)).toBe(0);
    },
  );
});
