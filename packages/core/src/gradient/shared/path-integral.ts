// SPDX-License-Identifier: Apache-2.0
// The batched path integral behind integrated gradients and expected gradients:
//   for each batch of path points: ig-path-points writes them into the buffer of the tensor the
//   model consumes -> tfjs computes d score[target] / d points -> ig-accumulate folds w_t (x - b_t) g_t
//   into the attribution tensor's own buffer.
// Nothing is read back on the GPU path. The CPU path runs the kernels' CPU references.
import * as tf from '@tensorflow/tfjs';
import {
  fill,
  igAccumulate,
  igAccumulateRef,
  igPathPoints,
  igPathPointsRef,
  packPathPlan,
  pathPlanLength,
  releaseBuffer,
  runKernel,
  uploadBuffer,
  type PathPlan,
} from '@webxai/shaders';
import type { CallContext } from '../../api/types.js';
import type { ModelAdapter } from '../../model/types.js';
import { createTensorBuffer, gpuBufferOf, tfjsDevice } from '../../interop/tfjs-webgpu.js';
import { targetGradients } from '../target-gradients.js';
import { checkpoint } from '../../api/abort.js';

/** One path integral over a batch of images. */
export interface PathIntegral {
  readonly model: ModelAdapter;
  /** [n, h, w, c] images. */
  readonly input: tf.Tensor4D;
  /** [rows, h, w, c] baselines; the plan says which row each point starts from. */
  readonly baselines: tf.Tensor4D;
  /** n * pointsPerImage points, image-major. */
  readonly plan: PathPlan;
  readonly pointsPerImage: number;
  /** Target class per image. */
  readonly targets: readonly number[];
  /** Path points per model pass. */
  readonly batchSize: number;
  /** Label for abort errors. */
  readonly label: string;
}

/** Target class of each row of the batch [firstPoint, firstPoint + count). */
function rowTargets(targets: readonly number[], firstPoint: number, count: number, pointsPerImage: number): number[] {
  return Array.from({ length: count }, (_, p) => targets[Math.floor((firstPoint + p) / pointsPerImage)]!);
}

/**
 * Runs the path integral on `call.path` and returns the attribution [n, h, w, c] (caller
 * disposes). Checks `call.signal` before every batch and reports progress after it; on abort or
 * error everything allocated is released.
 */
export async function runPathIntegral(job: PathIntegral, call: Pick<CallContext, 'signal' | 'onProgress' | 'path'>): Promise<tf.Tensor4D> {
  const total = pathPlanLength(job.plan);
  if (total !== job.input.shape[0] * job.pointsPerImage) {
    throw new Error(`internal: path plan has ${total} points for ${job.input.shape[0]} images x ${job.pointsPerImage}`);
  }
  return call.path === 'gpu' ? runOnGpu(job, total, call) : runOnCpu(job, total, call);
}

async function runOnGpu(job: PathIntegral, total: number, call: Pick<CallContext, 'signal' | 'onProgress'>): Promise<tf.Tensor4D> {
  const device = tfjsDevice();
  const [n, h, w, c] = job.input.shape;
  const elementCount = h * w * c;
  const attribution = createTensorBuffer([n, h, w, c]);
  const plan = uploadBuffer(device, packPathPlan(job.plan), `${job.label}.plan`);
  try {
    await runKernel(device, fill, { params: { count: n * elementCount, value: 0 }, output: attribution.buffer });
    for (let firstPoint = 0; firstPoint < total; firstPoint += job.batchSize) {
      await checkpoint(call.signal, job.label);
      const pointCount = Math.min(job.batchSize, total - firstPoint);
      const params = { elementCount, pointCount, firstPoint, pointsPerImage: job.pointsPerImage };
      const points = createTensorBuffer([pointCount, h, w, c]);
      try {
        const input = gpuBufferOf(job.input);
        const baselines = gpuBufferOf(job.baselines);
        await runKernel(device, igPathPoints, { params, input, baselines, plan, points: points.buffer });
        const gradients = targetGradients(job.model, points.tensor as tf.Tensor4D, rowTargets(job.targets, firstPoint, pointCount, job.pointsPerImage));
        try {
          await runKernel(device, igAccumulate, { params, input, baselines, plan, gradients: gpuBufferOf(gradients), attribution: attribution.buffer });
        } finally {
          gradients.dispose();
        }
      } finally {
        points.tensor.dispose();
      }
      call.onProgress?.({ done: firstPoint + pointCount, total });
    }
    return attribution.tensor as tf.Tensor4D;
  } catch (error) {
    attribution.tensor.dispose();
    throw error;
  } finally {
    releaseBuffer(device, plan);
  }
}

async function runOnCpu(job: PathIntegral, total: number, call: Pick<CallContext, 'signal' | 'onProgress'>): Promise<tf.Tensor4D> {
  const [n, h, w, c] = job.input.shape;
  const elementCount = h * w * c;
  const input = await job.input.data();
  const baselines = await job.baselines.data();
  const attribution = new Float32Array(n * elementCount);
  for (let firstPoint = 0; firstPoint < total; firstPoint += job.batchSize) {
    await checkpoint(call.signal, job.label);
    const pointCount = Math.min(job.batchSize, total - firstPoint);
    const params = { elementCount, pointCount, firstPoint, pointsPerImage: job.pointsPerImage };
    const gradients = tf.tidy(() => {
      const points = tf.tensor4d(igPathPointsRef(input, baselines, job.plan, params), [pointCount, h, w, c]);
      return targetGradients(job.model, points, rowTargets(job.targets, firstPoint, pointCount, job.pointsPerImage));
    });
    const values = await gradients.data();
    gradients.dispose();
    igAccumulateRef(input, baselines, job.plan, values, attribution, params);
    call.onProgress?.({ done: firstPoint + pointCount, total });
  }
  return tf.tensor4d(attribution, [n, h, w, c]);
}
