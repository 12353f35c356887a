// SPDX-License-Identifier: Apache-2.0
// The feature-visualisation kernels in Chromium (SwiftShader), not only on Dawn + lavapipe in Node:
// the FFT kernels' parity cases at the image sizes models take (128, 224), shared with the Node
// parity test through @webxai/shaders/parity, and a short visualizeFeature run on tfjs's webgpu
// backend (FFT image, affine sampling, the fused affine + Fourier adjoint, Adam) against the cpu backend.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { flushTfjs, tfjsUsedBufferCount, visualizeFeature, type VisualizeFeatureOptions } from '@webxai/core';
import { liveBufferCount } from '@webxai/shaders';
import { fftParity, fftStageParity, fftStagesOf, fourierParity, FOURIER_PARITY_SHAPES, type Parity } from '@webxai/shaders/parity';
import { gpuTest, seededF32 } from '@webxai/testing';
import { disposeWeights, tinyCnn, tinyCnnWeights } from '@webxai/testing/models';

/** The image sizes of the models feature visualisation is used with: 16 x 8 and 16 x 14 stages. */
const SIZES = [128, 224];

const expectClose = ({ actual, expected, tolerance }: Parity, what: string) => expect(actual, what).toBeAllClose(expected, tolerance);

describe('FFT kernels in Chromium against their f64 references', () => {
  for (const n of SIZES) {
    gpuTest(`n = ${n}: the whole FFT both ways, and each stage alone`, async ({ device }) => {
      for (const sign of [1, -1] as const) expectClose(await fftParity(device, seededF32, n, sign), `sign ${sign}`);
      for (const { stage, radix } of fftStagesOf(n)) {
        expectClose(await fftStageParity(device, seededF32, n, stage), `stage ${stage} (radix ${radix})`);
      }
      expect(liveBufferCount(device)).toBe(0);
    });
  }

  for (const shape of FOURIER_PARITY_SHAPES.filter(([, , h]) => SIZES.includes(h))) {
    gpuTest(`the Fourier image and its adjoint, ${shape.join(' x ')}`, async ({ device }) => {
      const { image, spectraGradient } = await fourierParity(device, seededF32, shape);
      expectClose(image, 'image');
      expectClose(spectraGradient, 'spectra gradient');
      expect(liveBufferCount(device)).toBe(0);
    });
  }
});

/** visualizeFeature of the tiny CNN (16 x 16 input) on the current backend; model and weights disposed. */
async function visualizeTiny(options: VisualizeFeatureOptions) {
  const weights = tinyCnnWeights({ seed: 4 });
  const model = tinyCnn('sequential', weights);
  try {
    const result = await visualizeFeature(model, options);
    const images = Array.from(await result.images.data());
    result.images.dispose();
    return { ...result, images };
  } finally {
    model.dispose();
    disposeWeights(weights);
  }
}

describe('visualizeFeature on the webgpu backend in Chromium', () => {
  beforeAll(async () => {
    await import('@tensorflow/tfjs-backend-webgpu');
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  // 224: the fused affine + Fourier adjoint (no penalties); 128: the Fourier image adjoint beside tfjs's
  // penalty gradient. L2 only: the TV penalty's |difference| flips its gradient's sign where two
  // neighbours are equal on one backend and an ulp apart on the other (the 128 start image has two such
  // pairs on webgpu, none on cpu), and Adam's first steps amplify that to ~7e-4 (in Node too).
  for (const [size, penalties] of [
    [224, {}],
    [128, { l2: 0.1 }],
  ] as const) {
    it(`${size} x ${size} images of a 16 x 16 model, penalties ${JSON.stringify(penalties)}: agrees with the cpu backend, nothing leaks`, async () => {
      const options = { layer: 'conv2', channels: [1, 5], steps: 3, seed: 9, size, ...penalties } as const;
      await tf.setBackend('cpu');
      const cpu = await visualizeTiny(options);
      expect(cpu.path).toBe('cpu');
      // Each unit's objective climbs: the runs compared are not of a still image.
      cpu.objective.at(-1)!.forEach((last, k) => expect(last, `unit ${k}`).toBeGreaterThan(cpu.objective[0]![k]!));
      await tf.setBackend('webgpu');
      const tensors = tf.memory().numTensors;
      const buffers = tfjsUsedBufferCount();
      const gpu = await visualizeTiny(options);
      expect(gpu.path).toBe('gpu');
      // The Node agreement test's tolerances (visualize-feature.gpu.test.ts).
      expect(gpu.images).toBeAllClose(cpu.images, { abs: 1e-4, rel: 1e-4 });
      expect(gpu.objective.flat()).toBeAllClose(cpu.objective.flat(), { abs: 1e-4, rel: 1e-3 });
      expect(gpu.finalObjective).toBeAllClose(cpu.finalObjective, { abs: 1e-4, rel: 1e-3 });
      flushTfjs(); // buffers of tensors disposed mid-encoder return to tfjs's pool at its next submit
      expect(tf.memory().numTensors).toBe(tensors);
      expect(tfjsUsedBufferCount()).toBe(buffers);
    });
  }
});
