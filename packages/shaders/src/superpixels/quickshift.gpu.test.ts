// SPDX-License-Identifier: Apache-2.0
import { describe, expect } from 'vitest';
import { gpuTest, seededF32 } from '@webxai/testing';
import { runKernel } from '../runtime/kernel.js';
import { createBuffer, readFloat32, readUint32, releaseBuffer, uploadBuffer } from '../runtime/buffers.js';
import { quickshiftDensity, quickshiftParent } from './quickshift.kernel.js';
import { quickshiftDensityRef, quickshiftParentRef } from './quickshift.ref.js';

const CASES = [
  { height: 1, width: 1, window: 3, why: 'one pixel' },
  { height: 7, width: 5, window: 2, why: 'less than one workgroup' },
  { height: 33, width: 40, window: 12, why: "ragged, lime's window (kernel 4)" },
];

describe('quickshift kernels', () => {
  gpuTest.for(CASES)(
    'density within tolerance, links equal the reference given the same density: $why',
    async ({ height, width, window }, { device }) => {
      const pixels = height * width;
      // smooth features in Lab-like units, times lime's ratio 0.2
      const base = seededF32(pixels * 3, 1, 0, 20);
      const features = base.map((v, i) => v * 0.05 + (Math.floor(i / 3) % width) * 0.3);
      const noise = seededF32(pixels, 2, -1, 1);
      const inv = -1 / (2 * 4 * 4);
      const b = [
        uploadBuffer(device, features, 'f'),
        uploadBuffer(device, noise, 'n'),
        createBuffer(device, pixels * 4, 'd'),
        createBuffer(device, pixels * 4, 'p'),
      ] as const;
      await runKernel(device, quickshiftDensity, { params: { height, width, window, inv }, features: b[0], noise: b[1], density: b[2] });
      const density = await readFloat32(device, b[2], pixels);
      expect(density).toBeAllClose(quickshiftDensityRef({ height, width, window }, features, noise, inv), quickshiftDensity.tolerance);
      await runKernel(device, quickshiftParent, {
        params: { height, width, window, maxDist2: 100 },
        features: b[0],
        density: b[2],
        parent: b[3],
      });
      const parent = await readUint32(device, b[3], pixels);
      // Given the GPU's own densities, the links are exact (f32 distances compared identically).
      const f32 = (v: number) => Math.fround(v);
      const want = quickshiftParentRef({ height, width, window }, features.map(f32), density, 100);
      expect(Array.from(parent)).toEqual(Array.from(want));
      b.forEach((x) => releaseBuffer(device, x));
    },
  );
});
