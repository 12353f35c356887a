// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { countSubmits, gpuTest, seededF32, seededInts } from '@webxai/testing';
import { runKernel } from '../runtime/kernel.js';
import { createBuffer, liveBufferCount, readUint32, releaseBuffer, uploadBuffer } from '../runtime/buffers.js';
import { InvalidOptionError } from '../runtime/errors.js';
import { slicAssignSum, slicFeatures, slicSumsLength, slicUpdate } from './slic.kernel.js';
import { slicFeaturesRef } from './slic-features.ref.js';
import { slicAssignRef, slicColumnSumsRef, slicRef, slicUpdateRef } from './slic.ref.js';
import { slicPlan } from './slic-plan.js';
import { slicLabels } from './slic.js';

/** A smooth synthetic RGB image: a few colour blobs, plus seeded noise. */
function blobs(height: number, width: number, seed: number): Float32Array<ArrayBuffer> {
  const noise = seededF32(height * width * 3, seed, -0.03, 0.03);
  const out = new Float32Array(height * width * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const u = x / width;
      const v = y / height;
      out[i] = Math.min(1, Math.max(0, (u > 0.5 ? 0.9 : 0.1) + noise[i]!));
      out[i + 1] = Math.min(1, Math.max(0, ((u - 0.3) ** 2 + (v - 0.6) ** 2 < 0.05 ? 0.8 : 0.2) + noise[i + 1]!));
      out[i + 2] = Math.min(1, Math.max(0, v + noise[i + 2]!));
    }
  return out;
}

const SIZES = [
  { height: 1, width: 1, segments: 1, why: 'one pixel' },
  { height: 9, width: 13, segments: 6, why: 'less than one workgroup' },
  { height: 37, width: 50, segments: 30, why: 'ragged last workgroup' },
  { height: 224, width: 224, segments: 100, why: 'a 224x224 image' },
];

describe('slic plan', () => {
  it('rejects impossible requests with the option named', () => {
    expect(() => slicPlan(4, 4, 17, 10)).toThrow(/segments must be an integer in \[1, 16\]/);
    expect(() => slicPlan(4, 4, 2, 0)).toThrow(/compactness/);
    expect(() => slicPlan(8192, 8192, 4, 10)).toThrow(/ask for at least/);
    expect(slicPlan(224, 224, 100, 10)).toMatchObject({ gridH: 10, gridW: 10 });
  });
});

describe('slic kernels', () => {
  gpuTest.for(SIZES)('slic-features within one unit of slicFeaturesRef: $why', async ({ height, width }, { device }) => {
    const pixels = height * width;
    const image = seededF32(pixels * 3, 1, 0, 255);
    const b = [uploadBuffer(device, image, 'image'), createBuffer(device, pixels * 12, 'features')] as const;
    await runKernel(device, slicFeatures, { params: { pixels, channels: 3, low: 0, scale: 1 / 255 }, image: b[0], features: b[1] });
    const got = await readUint32(device, b[1], pixels * 3);
    const want = slicFeaturesRef(image, pixels, 3, 0, 1 / 255);
    expect(got).toBeAllClose(want, slicFeatures.tolerance);
    const differing = got.filter((v, i) => v !== want[i]).length;
    expect(differing / got.length).toBeLessThan(0.01);
    b.forEach((x) => releaseBuffer(device, x));
  });

  gpuTest.for(SIZES)(
    'slic-assign-sum (labels, column sums) and slic-update match their references exactly: $why',
    async ({ height, width, segments }, { device }) => {
      const pixels = height * width;
      const plan = slicPlan(height, width, segments, 10);
      const clusters = plan.gridH * plan.gridW;
      const features = new Uint32Array(seededInts(pixels * 3, 2, 0, 512));
      // centres scattered near their cells, random colours
      const centers = new Uint32Array(clusters * 5);
      const jitter = seededInts(clusters * 5, 3, 0, 1000);
      for (let k = 0; k < clusters; k++) {
        const gy = Math.floor(k / plan.gridW);
        const gx = k % plan.gridW;
        centers[k * 5] = Math.min(height - 1, Math.floor(((gy + 0.5) * height) / plan.gridH) + (jitter[k * 5]! % 3));
        centers[k * 5 + 1] = Math.min(width - 1, Math.floor(((gx + 0.5) * width) / plan.gridW) + (jitter[k * 5 + 1]! % 3));
        for (let c = 2; c < 5; c++) centers[k * 5 + c] = jitter[k * 5 + c]! % 512;
      }
      const dims = { height, width, gridH: plan.gridH, gridW: plan.gridW };
      const params = { ...dims, spatialWeight: plan.spatialWeight, maxSpatial2: plan.maxSpatial2 };
      const sumsLength = slicSumsLength(plan.gridH, width);
      const b = [
        uploadBuffer(device, features, 'f'),
        uploadBuffer(device, centers, 'c'),
        createBuffer(device, pixels * 4, 'l'),
        createBuffer(device, sumsLength * 4, 's'),
      ] as const;
      for (const init of [true, false]) {
        const kernel = init ? slicAssignSum.init : slicAssignSum.assign;
        await runKernel(device, kernel, { params, features: b[0], centers: b[1], labels: b[2], sums: b[3] });
        const labels = await readUint32(device, b[2], pixels);
        expect(Array.from(labels)).toEqual(Array.from(slicAssignRef(plan, features, centers, new Uint32Array(pixels), init)));
        expect(Array.from(await readUint32(device, b[3], sumsLength))).toEqual(Array.from(slicColumnSumsRef(plan, features, labels)));
      }
      // b[2], b[3]: the labels and sums of the (non-init) assignment
      const labels = await readUint32(device, b[2], pixels);
      await runKernel(device, slicUpdate, { params: dims, sums: b[3], centers: b[1] });
      const want = slicUpdateRef(plan, features, labels, centers.slice());
      expect(Array.from(await readUint32(device, b[1], clusters * 5))).toEqual(Array.from(want));
      // the update moved some centre (the test can fail)
      expect(Array.from(want)).not.toEqual(Array.from(centers));
      b.forEach((x) => releaseBuffer(device, x));
    },
  );

  gpuTest.for([0, 1, 2])('%i SLIC iterations give the same labels as slicRef (the ends of the loop)', async (iterations, { device }) => {
    const [height, width] = [37, 50];
    const plan = slicPlan(height, width, 30, 10);
    const features = slicFeaturesRef(blobs(height, width, 5), height * width, 3, 0, 1);
    const fb = uploadBuffer(device, features, 'features');
    const labels = await slicLabels(device, { plan, features: fb, iterations });
    expect(Array.from(await readUint32(device, labels, height * width))).toEqual(Array.from(slicRef(plan, features, iterations)));
    releaseBuffer(device, fb);
    releaseBuffer(device, labels);
    expect(liveBufferCount(device)).toBe(0);
  });

  gpuTest('ten SLIC iterations give the same labels as slicRef, and follow the image', async ({ device }) => {
    const [height, width] = [96, 128];
    const image = blobs(height, width, 4);
    const plan = slicPlan(height, width, 48, 10);
    const features = slicFeaturesRef(image, height * width, 3, 0, 1);
    const fb = uploadBuffer(device, features, 'features');
    const labels = await slicLabels(device, { plan, features: fb, iterations: 10 });
    const got = await readUint32(device, labels, height * width);
    const want = slicRef(plan, features, 10);
    expect(Array.from(got)).toEqual(Array.from(want));
    // the vertical colour edge at x = 64 is a superpixel boundary in every row
    for (let y = 0; y < height; y += 7) expect(want[y * width + 62]).not.toBe(want[y * width + 66]);
    releaseBuffer(device, fb);
    releaseBuffer(device, labels);
    expect(liveBufferCount(device)).toBe(0);
  });

  gpuTest('from the image: features + init + 10 iterations in ONE queue.submit, labels = slicRef', async ({ device }) => {
    const [height, width] = [40, 56];
    const image = blobs(height, width, 6);
    const plan = slicPlan(height, width, 20, 10);
    const ib = uploadBuffer(device, image, 'image');
    try {
      const { result: labels, submits } = await countSubmits(() =>
        slicLabels(device, { plan, image: ib, channels: 3, low: 0, scale: 1, iterations: 10 }),
      );
      expect(submits).toBe(1);
      const got = await readUint32(device, labels, height * width);
      const want = slicRef(plan, slicFeaturesRef(image, height * width, 3, 0, 1), 10);
      // features are within one Lab unit of the reference (slic-features' tolerance): nearly all labels agree
      const same = got.filter((label, i) => label === want[i]).length;
      expect(same / got.length).toBeGreaterThan(0.98);
      releaseBuffer(device, labels);
    } finally {
      releaseBuffer(device, ib);
    }
    expect(liveBufferCount(device)).toBe(0);
  });

  gpuTest('neither image nor features: a typed error naming both, no buffer left', async ({ device }) => {
    await expect(slicLabels(device, { plan: slicPlan(8, 8, 4, 10) })).rejects.toThrow(InvalidOptionError);
    await expect(slicLabels(device, { plan: slicPlan(8, 8, 4, 10) })).rejects.toThrow(/image .* or its precomputed features/);
    expect(liveBufferCount(device)).toBe(0);
  });
});
