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
import { gpuBufferOf, kernelToTensor, tfjsDevice } from '../../interop/tfjs-webgpu.js';
import { seededGradients, type ClassSeeds } from '../target-gradients.js';
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
  /**
   * Target class per image: on the host, or on the device as one-hot rows ([n, classes], e.g. the
   * argMax of the images' scores: 'predicted' needs no readback before the path).
   */
  readonly targets: ClassSeeds;
  /** Path points per model pass. */
  readonly batchSize: number;
  /** Label for abort errors. */
  readonly label: string;
}

/** The image of each row of the batch [firstPoint, firstPoint + count). */
function rowImages(firstPoint: number, count: number, pointsPerImage: number): number[] {
  return Array.from({ length: count }, (_, p) => Math.floor((firstPoint + p) / pointsPerImage));
}

/** Shape of one batch, as the kernels (and their references) take it. */
interface BatchParams {
  readonly elementCount: number;
  readonly pointCount: number;
  readonly firstPoint: number;
  readonly pointsPerImage: number;
}

/**
 * What differs between the GPU and the CPU path: where a batch's points are made and where its
 * gradients are folded. The batching loop ({@link integrate}) is shared.
 */
interface PathStrategy {
  /** The batch's path points, as the tensor the model consumes (the loop disposes it). */
  points(params: BatchParams): Promise<tf.Tensor4D> | tf.Tensor4D;
  /** Folds the batch's gradients (not disposed here) into the attribution. */
  accumulate(params: BatchParams, gradients: tf.Tensor4D): Promise<void>;
  /** The attribution [n, h, w, c]; ownership passes to the caller. */
  result(): tf.Tensor4D;
  /** Frees what the strategy holds, the attribution too when `result` was not taken. */
  dispose(): void;
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
  const strategy = call.path === 'gpu' ? await gpuStrategy(job) : await cpuStrategy(job);
  return integrate(job, total, call, strategy);
}

/** The batching loop: points -> gradients of each row's target -> accumulate, batch by batch. */
async function integrate(
  job: PathIntegral,
  total: number,
  call: Pick<CallContext, 'signal' | 'onProgress'>,
  strategy: PathStrategy,
): Promise<tf.Tensor4D> {
  const [, h, w, c] = job.input.shape;
  try {
    for (let firstPoint = 0; firstPoint < total; firstPoint += job.batchSize) {
      await checkpoint(call.signal, job.label);
      const pointCount = Math.min(job.batchSize, total - firstPoint);
      const params = { elementCount: h * w * c, pointCount, firstPoint, pointsPerImage: job.pointsPerImage };
      const points = await strategy.points(params);
      try {
        const gradients = seededGradients(job.model, points, job.targets, rowImages(firstPoint, pointCount, job.pointsPerImage));
        try {
          await strategy.accumulate(params, gradients);
        } finally {
          gradients.dispose();
        }
      } finally {
        points.dispose();
      }
      call.onProgress?.({ done: firstPoint + pointCount, total });
    }
    return strategy.result();
  } finally {
    strategy.dispose();
  }
}

/** WGSL on tfjs's device: points written straight into the model's input tensor, nothing read back. */
async function gpuStrategy(job: PathIntegral): Promise<PathStrategy> {
  const device = tfjsDevice();
  const [n, h, w, c] = job.input.shape;
  const attribution = await kernelToTensor([n, h, w, c], (output) =>
    runKernel(device, fill, { params: { count: n * h * w * c, value: 0 }, output }),
  );
  let taken = false;
  let plan: GPUBuffer;
  try {
    plan = uploadBuffer(device, packPathPlan(job.plan), `${job.label}.plan`);
  } catch (error) {
    attribution.dispose();
    throw error;
  }
  const buffers = () => ({ input: gpuBufferOf(job.input), baselines: gpuBufferOf(job.baselines), plan });
  return {
    points: (params) =>
      kernelToTensor([params.pointCount, h, w, c], (points) => runKernel(device, igPathPoints, { params, ...buffers(), points })),
    accumulate: (params, gradients) =>
      runKernel(device, igAccumulate, { params, ...buffers(), gradients: gpuBufferOf(gradients), attribution: gpuBufferOf(attribution) }),
    result: () => ((taken = true), attribution),
    dispose: () => {
      releaseBuffer(device, plan);
      if (!taken) attribution.dispose();
    },
  };
}

/** The kernels' CPU references (f64 inside) on downloaded data; the attribution lives in a Float32Array. */
async function cpuStrategy(job: PathIntegral): Promise<PathStrategy> {
  const [n, h, w, c] = job.input.shape;
  const input = await job.input.data();
  const baselines = await job.baselines.data();
  const attribution = new Float32Array(n * h * w * c);
  return {
    points: (params) => tf.tensor4d(igPathPointsRef(input, baselines, job.plan, params), [params.pointCount, h, w, c]),
    accumulate: async (params, gradients) => {
      igAccumulateRef(input, baselines, job.plan, await gradients.data(), attribution, params);
    },
    result: () => tf.tensor4d(attribution, [n, h, w, c]),
    dispose: () => {},
  };
}
