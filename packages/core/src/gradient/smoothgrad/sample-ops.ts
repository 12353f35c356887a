// SPDX-License-Identifier: Apache-2.0
// The two implementations of SmoothGrad's per-batch work: noisy samples written into the batch
// tensor's buffer (seeded RNG + noise-points) and smoothgrad-accumulate, on the GPU; the same
// through the kernels' CPU references on the CPU path (bit-identical noise: normalFill, the fast
// form of normalRef).
import * as tf from '@tensorflow/tfjs';
import {
  createBuffer,
  fill,
  noisePoints,
  noisePointsRef,
  randomNormal,
  reduceRows,
  releaseBuffer,
  runKernel,
  smoothGradAccumulate,
  smoothGradAccumulateRef,
  type SmoothGradInner,
  type SmoothGradVariant,
} from '@webxai/shaders';
import { normalFill } from '../../random/normal-fill.js';
import type { ExecutionPath } from '../../api/types.js';
import { createTensorBuffer, gpuBufferOf, kernelToTensor, tfjsDevice, type TensorBuffer } from '../../interop/tfjs-webgpu.js';

/** Per-batch SmoothGrad work on one execution path. Samples are sample-major: point t is image t % n. */
export interface SampleOps {
  /** The noisy samples [firstPoint, firstPoint + count) as a new tensor (caller disposes). */
  noisy(firstPoint: number, count: number): Promise<tf.Tensor4D>;
  /** Folds the per-sample attributions of `points` (from `gradients`) into the running moments. */
  accumulate(inner: SmoothGradInner, points: tf.Tensor4D, gradients: tf.Tensor4D, firstPoint: number, count: number): Promise<void>;
  /** The final attribution (mean, mean square or variance); ownership passes to the caller. */
  finish(): tf.Tensor4D;
  /** Releases everything not handed out by finish(). Idempotent. */
  dispose(): void;
}

export interface SampleSetup {
  readonly input: tf.Tensor4D;
  readonly noiseLevel: number;
  readonly seed: number;
  readonly samples: number;
  readonly variant: SmoothGradVariant;
}

/** Creates the sample ops for `path`. */
export async function createSampleOps(setup: SampleSetup, path: ExecutionPath): Promise<SampleOps> {
  return path === 'gpu' ? gpuOps(setup) : cpuOps(setup);
}

function finishMoments(variant: SmoothGradVariant, m1: tf.Tensor4D, m2: tf.Tensor4D | undefined): tf.Tensor4D {
  // VarGrad = E[a^2] - E[a]^2 (Captum NoiseTunnel 'vargrad').
  return variant === 'variance' ? tf.tidy(() => tf.sub(m2!, tf.square(m1))) : m1;
}

async function gpuOps({ input, noiseLevel, seed, samples, variant }: SampleSetup): Promise<SampleOps> {
  const device = tfjsDevice();
  const [n, h, w, c] = input.shape;
  const elementCount = h * w * c;
  const owned: GPUBuffer[] = [];
  const tensors: TensorBuffer<tf.Rank.R4>[] = [];
  let handedOut = false;
  const dispose = () => {
    owned.splice(0).forEach((b) => releaseBuffer(device, b));
    if (!handedOut) tensors.splice(0).forEach((t) => t.tensor.dispose());
  };
  try {
    const inputBuffer = gpuBufferOf(input);
    owned.push(await reduceRows(device, { op: 'min', input: inputBuffer, rows: n, rowLength: elementCount }));
    owned.push(await reduceRows(device, { op: 'max', input: inputBuffer, rows: n, rowLength: elementCount }));
    const [minima, maxima] = owned as [GPUBuffer, GPUBuffer];
    const m1 = createTensorBuffer([n, h, w, c]);
    tensors.push(m1);
    let m2Buffer: GPUBuffer;
    if (variant === 'variance') {
      const m2 = createTensorBuffer([n, h, w, c]);
      tensors.push(m2);
      m2Buffer = m2.buffer;
    } else {
      m2Buffer = createBuffer(device, 16, 'smoothgrad.unused-moment');
      owned.push(m2Buffer);
    }
    for (const t of tensors) await runKernel(device, fill, { params: { count: n * elementCount, value: 0 }, output: t.buffer });
    return {
      async noisy(firstPoint, count) {
        return kernelToTensor([count, h, w, c], async (points) => {
          await randomNormal(device, { seed, offset: firstPoint * elementCount, count: count * elementCount, output: points });
          await runKernel(device, noisePoints, {
            params: { elementCount, pointCount: count, firstPoint, imageCount: n, noiseLevel },
            input: gpuBufferOf(input),
            minima,
            maxima,
            points,
          });
        });
      },
      async accumulate(inner, points, gradients, firstPoint, count) {
        await runKernel(device, smoothGradAccumulate(inner, variant), {
          params: { elementCount, pointCount: count, firstPoint, imageCount: n, invSamples: 1 / samples },
          points: gpuBufferOf(points),
          gradients: gpuBufferOf(gradients),
          moment1: m1.buffer,
          moment2: m2Buffer,
        });
      },
      finish() {
        const [first, second] = tensors.map((t) => t.tensor);
        const result = finishMoments(variant, first!, second);
        if (result !== first) tf.dispose([first!, second!]);
        handedOut = true;
        return result;
      },
      dispose,
    };
  } catch (error) {
    dispose();
    throw error;
  }
}

async function cpuOps({ input, noiseLevel, seed, samples, variant }: SampleSetup): Promise<SampleOps> {
  const [n, h, w, c] = input.shape;
  const elementCount = h * w * c;
  const values = await input.data();
  const minima = new Float32Array(n).fill(Infinity);
  const maxima = new Float32Array(n).fill(-Infinity);
  values.forEach((v, i) => {
    const image = Math.floor(i / elementCount);
    minima[image] = Math.min(minima[image]!, v);
    maxima[image] = Math.max(maxima[image]!, v);
  });
  const m1 = new Float32Array(n * elementCount);
  const m2 = variant === 'variance' ? new Float32Array(n * elementCount) : undefined;
  return {
    noisy(firstPoint, count) {
      const noise = normalFill(seed, firstPoint * elementCount, count * elementCount);
      const batch = { elementCount, pointCount: count, firstPoint, imageCount: n };
      return Promise.resolve(tf.tensor4d(noisePointsRef(values, minima, maxima, noise, noiseLevel, batch), [count, h, w, c]));
    },
    async accumulate(inner, points, gradients, firstPoint, count) {
      const batch = { elementCount, pointCount: count, firstPoint, imageCount: n };
      smoothGradAccumulateRef(inner, variant, await points.data(), await gradients.data(), m1, m2, 1 / samples, batch);
    },
    finish() {
      const first = tf.tensor4d(m1, [n, h, w, c]);
      if (!m2) return first;
      const second = tf.tensor4d(m2, [n, h, w, c]);
      const result = finishMoments(variant, first, second);
      tf.dispose([first, second]);
      return result;
    },
    dispose() {},
  };
}
