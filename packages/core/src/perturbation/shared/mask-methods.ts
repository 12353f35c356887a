// SPDX-License-Identifier: Apache-2.0
// What occlusion and RISE share: both weigh each perturbed sample by (a function of) its target
// score and add the weight to the pixels the sample perturbed, on the GPU (masks -> perturbed
// batch -> weighted mask sums, nothing but the sums read back) or on the host.
import type * as tf from '@tensorflow/tfjs';
import {
  invariant,
  maskAccumulate,
  perturbBatch,
  readFloat32,
  recordKernels,
  runKernel,
  type KernelArgs,
  type KernelBatch,
} from '@webxai/shaders';
import { gpuBufferOf } from '../../interop/tfjs-webgpu.js';
import { evaluateBatches, type BatchWriter, type HostBatchWriter, type PerturbationEnv } from './evaluate.js';
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
 * Evaluates every sample of `run` with a host batch `writer` (its write and what it asks of the
 * batch) and hands each batch's weights to `accumulate`; reports `partial()` as progress after every batch when someone listens.
 */
export async function accumulateOnHost(
  run: MaskRun,
  writer: Omit<HostBatchWriter, 'on'>,
  weigh: (score: number) => number,
  accumulate: (first: number, weights: Float64Array) => void,
  partial: (done: number) => Float32Array,
): Promise<void> {
  await evaluateBatches(run.env, run.total, { on: 'host', ...writer }, (first, count, scores) => {
    accumulate(first, sampleWeights(scores, run.classes, count, run.target, weigh));
    if (run.progress.active) run.progress.report(first + count, run.total, partial(first + count));
  });
}

/** One weighted mask sum of {@link GpuMaskBatches.accumulate}. */
export interface MaskSum {
  /** 'keep': acc += w * mask; 'hidden': acc += w * (1 - mask). */
  readonly kind: 'keep' | 'hidden';
  /** Per-sample weights: host values (rounded to f32 on upload) or a GPU buffer. */
  readonly weights: Float64Array | GPUBuffer;
  readonly acc: GPUBuffer;
}

/**
 * The GPU side of a mask method for one image: the mask kernel fills `masks` (one [h * w] mask per
 * sample of the batch, 1 = keep the image, 0 = take `fill`), perturb-batch writes the perturbed
 * images straight into the model's input, and `accumulate` adds the weighted masks into
 * accumulators. With a one-kernel mask maker ({@link GpuMaskBatches.recordingWriter}) a batch's
 * kernels go to the GPU in two submits (recordKernels): the write, and the sums after the model. Buffers belong to `scope` (the caller releases it).
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
    private readonly label: string,
  ) {
    const [, height, width] = image.shape;
    this.masks = scope.create(batchSize * height * width * 4, `${label}.masks`);
    this.weights = scope.create(batchSize * 4, `${label}.weights`);
    this.unusedSegments = scope.create(16, `${label}.segments`);
  }

  private get pixels(): number {
    return this.image.shape[1] * this.image.shape[2];
  }

  /**
   * A GPU batch writer whose masks are made by one kernel: `recordMasks(batch, first, count)`
   * records it into `batch`, then perturb-batch makes the images from the masks; one submit per batch.
   */
  recordingWriter(recordMasks: (batch: KernelBatch, first: number, count: number) => void): BatchWriter {
    return {
      on: 'gpu',
      write: (output, first, count) =>
        recordKernels(this.scope.device, `${this.label}.write`, (batch) => {
          recordMasks(batch, first, count);
          batch.dispatch(perturbBatch.pixels, this.perturbArgs(output, count));
        }),
    };
  }

  /** A GPU batch writer: `await makeMasks(first, count)` (any GPU work), then the perturbed images from the masks. */
  writer(makeMasks: (first: number, count: number) => Promise<void>): BatchWriter {
    return {
      on: 'gpu',
      write: async (output, first, count) => {
        await makeMasks(first, count);
        await runKernel(this.scope.device, perturbBatch.pixels, this.perturbArgs(output, count));
      },
    };
  }

  /** perturb-batch's arguments: the batch's `count` masks over the image into `output`. */
  private perturbArgs(output: GPUBuffer, count: number): KernelArgs<(typeof perturbBatch.pixels)['bindings']> {
    const { pixels } = this;
    return {
      params: { count, pixels, channels: this.image.shape[3], maskStride: pixels, sampleOffset: 0, outOffset: 0 },
      image: gpuBufferOf(this.image),
      fillImage: this.fill,
      segments: this.unusedSegments,
      masks: this.masks,
      output,
    };
  }

  /**
   * Every sum of `sums` over the batch's `count` masks: acc[p] += sum_b weights[b] * mask_b[p]
   * ('keep') or weights[b] * (1 - mask_b[p]) ('hidden'), in one submit. At most one sum may have
   * host weights (they are uploaded into one buffer before the batch runs).
   */
  async accumulate(sums: readonly MaskSum[], count: number): Promise<void> {
    const host = sums.filter((sum) => sum.weights instanceof Float64Array);
    invariant(host.length <= 1, `${this.label}: ${host.length} sums with host weights in one batch (one weight buffer)`);
    if (host[0]) this.scope.write(this.weights, Float32Array.from(host[0].weights as Float64Array));
    await recordKernels(this.scope.device, `${this.label}.accumulate`, (batch) => {
      for (const { kind, weights, acc } of sums) {
        batch.dispatch(maskAccumulate[kind], {
          params: { count, pixels: this.pixels },
          weights: weights instanceof Float64Array ? this.weights : weights,
          masks: this.masks,
          acc,
        });
      }
    });
  }

  /** The first `h * w` values of `buffer` (an accumulator). */
  read(buffer: GPUBuffer): Promise<Float32Array> {
    return readFloat32(this.scope.device, buffer, this.pixels);
  }
}
