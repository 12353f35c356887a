// SPDX-License-Identifier: Apache-2.0
// What occlusion and RISE share: both weigh each perturbed sample by (a function of) its target
// score and add the weight to the pixels the sample perturbed, on the GPU (masks -> perturbed
// batch -> weighted mask sums, nothing but the sums read back) or on the host.
import type * as tf from '@tensorflow/tfjs';
import { maskAccumulate, perturbBatch, readFloat32, runKernel } from '@webxai/shaders';
import { gpuBufferOf } from '../../interop/tfjs-webgpu.js';
import { evaluateBatches, type BatchWriter, type PerturbationEnv } from './evaluate.js';
import type { GpuScope } from './gpu-scope.js';
import type { ProgressReporter } from './progress.js';

/** One image's run of a mask method. */
export interface MaskRun {
  readonly env: PerturbationEnv;
  /** Samples (masks, windows) per image. */
  readonly total: number;
  readonly classes: number;
  readonly target: number;
  readonly progress: ProgressReporter;
}

/** `weigh(score of the target class)` for each of the batch's `count` samples, in f64. */
export function sampleWeights(
  scores: Float32Array,
  classes: number,
  count: number,
  target: number,
  weigh: (score: number) => number,
): Float64Array {
  const w = new Float64Array(count);
  for (let b = 0; b < count; b++) w[b] = weigh(scores[b * classes + target]!);
  return w;
}

/**
 * Evaluates every sample of `run` with a host batch writer and hands each batch's weights to
 * `accumulate`; reports `partial()` as progress after every batch when someone listens.
 */
export async function accumulateOnHost(
  run: MaskRun,
  write: Extract<BatchWriter, { on: 'host' }>['write'],
  weigh: (score: number) => number,
  accumulate: (first: number, weights: Float64Array) => void,
  partial: (done: number) => Float32Array,
): Promise<void> {
  await evaluateBatches(run.env, run.total, { on: 'host', write }, (first, count, scores) => {
    accumulate(first, sampleWeights(scores, run.classes, count, run.target, weigh));
    if (run.progress.active) run.progress.report(first + count, run.total, partial(first + count));
  });
}

/**
 * The GPU side of a mask method for one image: `makeMasks` fills `masks` (one [h * w] mask per
 * sample of the batch, 1 = keep the image, 0 = take `fill`), perturb-batch writes the perturbed
 * images straight into the model's input, and `accumulate` adds the weighted masks into `acc`.
 * Buffers belong to `scope` (the caller releases it).
 */
export class GpuMaskBatches {
  readonly masks: GPUBuffer;
  private readonly weights: GPUBuffer;
  private readonly unusedSegments: GPUBuffer;

  constructor(
    private readonly scope: GpuScope,
    private readonly image: tf.Tensor4D,
    private readonly fill: GPUBuffer,
    batchSize: number,
    label: string,
  ) {
    const [, height, width] = image.shape;
    this.masks = scope.create(batchSize * height * width * 4, `${label}.masks`);
    this.weights = scope.create(batchSize * 4, `${label}.weights`);
    this.unusedSegments = scope.create(16, `${label}.segments`);
  }

  private get pixels(): number {
    return this.image.shape[1] * this.image.shape[2];
  }

  /** A GPU batch writer: `makeMasks(first, count)` then the perturbed images from the masks. */
  writer(makeMasks: (first: number, count: number) => Promise<void>): BatchWriter {
    const { pixels } = this;
    const channels = this.image.shape[3];
    return {
      on: 'gpu',
      write: async (output, first, count) => {
        await makeMasks(first, count);
        await runKernel(this.scope.device, perturbBatch.pixels, {
          params: { count, pixels, channels, maskStride: pixels, sampleOffset: 0, outOffset: 0 },
          image: gpuBufferOf(this.image),
          fillImage: this.fill,
          segments: this.unusedSegments,
          masks: this.masks,
          output,
        });
      },
    };
  }

  /**
   * acc[p] += sum_b weights[b] * mask_b[p] ('keep') or weights[b] * (1 - mask_b[p]) ('hidden');
   * host weights are rounded to f32 on upload.
   */
  async accumulate(kind: 'keep' | 'hidden', weights: Float64Array | GPUBuffer, acc: GPUBuffer, count: number): Promise<void> {
    let w = weights as GPUBuffer;
    if (weights instanceof Float64Array) {
      this.scope.write(this.weights, Float32Array.from(weights));
      w = this.weights;
    }
    await runKernel(this.scope.device, maskAccumulate[kind], {
      params: { count, pixels: this.pixels },
      weights: w,
      masks: this.masks,
      acc,
    });
  }

  /** The first `h * w` values of `buffer` (an accumulator). */
  read(buffer: GPUBuffer): Promise<Float32Array> {
    return readFloat32(this.scope.device, buffer, this.pixels);
  }
}
