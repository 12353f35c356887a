// SPDX-License-Identifier: Apache-2.0
import type * as tf from '@tensorflow/tfjs';
import {
  gramColumns,
  invariant,
  perturbBatch,
  readFloat32,
  runKernel,
  segmentScatter,
  segmentScatterRef,
  weightedGram,
  weightedGramRef,
  type GramMode,
} from '@webxai/shaders';
import { gpuBufferOf, tfjsDevice } from '../../interop/tfjs-webgpu.js';
import { evaluateBatches, gpuBatches, type BatchWriter, type PerturbationEnv, type ScoreReadback } from './evaluate.js';
import { CpuPerturber } from './perturb-cpu.js';
import type { FeatureMap } from './features.js';
import { GpuScope } from './gpu-scope.js';
import type { SegmentMaps } from './segment-maps.js';
import { checkTargetClass } from '../../api/targets.js';

/**
 * One image's superpixel features on the active path: the perturbed batches (perturb-batch from
 * the segment map, a binary sample matrix and the fill image, straight into the model's input;
 * on the host for black boxes, see hostBatches),
 * the weighted normal equations (weighted-gram, reduced on the GPU) and the scatter of per-segment
 * values back to pixels (segment-scatter); on the CPU path, their references. The GPU copies
 * (fill, labels, samples) are uploaded at the first kernel that reads them, so a method that
 * only needs host batches (anchors with a black box) never uploads. Release with `release()` in
 * a finally.
 */
export class SegmentWorkspace {
  private readonly scope: GpuScope | undefined;
  private gpuCopies: { image: GPUBuffer; fill: GPUBuffer; segments: GPUBuffer; samples: GPUBuffer } | undefined;
  private perturber: CpuPerturber | undefined;
  /** The GPU copy of the sample matrix is stale (uploaded only when a kernel reads it). */
  private samplesDirty = false;

  private constructor(
    private readonly env: PerturbationEnv,
    private readonly values: Float32Array,
    readonly map: FeatureMap,
    private readonly fill: Float32Array<ArrayBuffer>,
    private samples: Float32Array<ArrayBuffer>,
    private readonly image: tf.Tensor4D,
  ) {
    if (env.path === 'gpu') this.scope = new GpuScope(tfjsDevice());
  }

  /** The GPU copies, uploaded on first use (GPU path only; the scope releases them). */
  private get gpu(): { image: GPUBuffer; fill: GPUBuffer; segments: GPUBuffer; samples: GPUBuffer } | undefined {
    if (!this.scope || this.gpuCopies) return this.gpuCopies;
    this.gpuCopies = {
      image: gpuBufferOf(this.image),
      fill: this.scope.upload(this.fill, 'segments.fill'),
      segments: this.scope.upload(Uint32Array.from(this.map.labels), 'segments.labels'),
      samples: this.scope.upload(this.samples, 'segments.samples'),
    };
    this.samplesDirty = false;
    return this.gpuCopies;
  }

  /** `image` ([1, h, w, c]) must stay alive until release(). `samples`: rows x map.count, 0/1. */
  static create(
    env: PerturbationEnv,
    image: tf.Tensor4D,
    values: Float32Array,
    map: FeatureMap,
    fill: Float32Array<ArrayBuffer>,
    samples: Float32Array<ArrayBuffer>,
  ): SegmentWorkspace {
    return new SegmentWorkspace(env, values, map, fill, samples, image);
  }

  get features(): number {
    return this.map.count;
  }

  get rows(): number {
    return this.samples.length / this.map.count;
  }

  /** Replaces the sample matrix (adaptive methods draw samples as they go); uploaded lazily. */
  setSamples(samples: Float32Array<ArrayBuffer>): void {
    this.samples = samples;
    this.samplesDirty = true;
  }

  /** The GPU sample buffer, uploaded first if the host matrix changed. */
  private gpuSamples(): GPUBuffer {
    const g = this.gpu!;
    if (this.samplesDirty) {
      if (g.samples.size < this.samples.byteLength) g.samples = this.scope!.upload(this.samples, 'segments.samples');
      else this.scope!.write(g.samples, this.samples);
      this.samplesDirty = false;
    }
    return g.samples;
  }

  /**
   * Scores of the target class for sample rows `from .. to - 1` (default: all), in batches;
   * `onBatch(done)` after each batch with the scores filled in so far. `reduce: 'hit'` gives 1
   * where the target class is the argmax (ties: lowest class), else 0. `readback`: see ScoreReadback.
   */
  async evaluate(
    target: number,
    onBatch?: (done: number, scores: Float64Array) => void | Promise<void>,
    from = 0,
    to = this.rows,
    reduce: 'score' | 'hit' = 'score',
    readback: ScoreReadback = 'per-batch',
  ): Promise<Float64Array> {
    const { height, width, channels } = this.env.geometry;
    const pixels = height * width;
    const scores = new Float64Array(to - from);
    const writer: BatchWriter = gpuBatches(this.env)
      ? {
          on: 'gpu',
          write: async (output, first, count) => {
            const g = this.gpu!;
            await runKernel(this.scope!.device, perturbBatch.segments, {
              params: { count, pixels, channels, maskStride: this.map.count, sampleOffset: from + first, outOffset: 0 },
              image: g.image,
              fillImage: g.fill,
              segments: g.segments,
              masks: this.gpuSamples(),
              output,
            });
          },
        }
      : {
          on: 'host',
          staging: this.cpuPerturber().stagingLength,
          wasmMemory: true, // SpanComposer's copies in WebAssembly
          write: (output, first, count, layout, staging) => {
            this.cpuPerturber().write(output, this.samples, this.map.count, count, from + first, layout, staging);
          },
        };
    await evaluateBatches(
      this.env,
      to - from,
      writer,
      async (first, count, batch, classes) => {
        // A given target is not checked against the clean images' scores by every method (anchors).
        checkTargetClass(target, classes);
        for (let b = 0; b < count; b++) {
          if (reduce === 'score') {
            scores[first + b] = batch[b * classes + target]!;
            continue;
          }
          let best = 0;
          for (let k = 1; k < classes; k++) if (batch[b * classes + k]! > batch[b * classes + best]!) best = k;
          scores[first + b] = best === target ? 1 : 0;
        }
        await onBatch?.(first + count, scores);
      },
      readback,
    );
    return scores;
  }

  /** The host batch writer, made at the first host batch (a GPU path never needs one). */
  private cpuPerturber(): CpuPerturber {
    const { height, width, channels } = this.env.geometry;
    this.perturber ??= new CpuPerturber(this.values, this.fill, this.map.labels, height * width, channels, width);
    return this.perturber;
  }

  /**
   * Z^T W Z of the derived design over `count` rows from `rowOffset` (scores and weights index from 0) (see weighted-gram.wgsl), as f64
   * [columns * columns]: on the GPU (f32, blocked summation, no barriers) or by weightedGramRef.
   */
  async gram(
    mode: GramMode,
    count: number,
    scores: Float64Array,
    weights: Float64Array,
    base = 0,
    delta = 0,
    rowOffset = 0,
  ): Promise<Float64Array> {
    const features = this.map.count;
    if (!this.gpu || !this.scope) {
      return weightedGramRef({ mode, samples: this.samples, scores, weights, count, features, base, delta, rowOffset });
    }
    const columns = gramColumns(mode, features);
    const scope = new GpuScope(this.scope.device);
    try {
      const y = scope.upload(Float32Array.from(scores.subarray(0, count)), 'gram.scores');
      const w = scope.upload(Float32Array.from(weights.subarray(0, count)), 'gram.weights');
      const out = scope.create(columns * columns * 4, 'gram.out');
      await runKernel(scope.device, weightedGram[mode], {
        params: { samples: count, rowOffset, features, columns, base, delta },
        samples: this.gpuSamples(),
        scores: y,
        weights: w,
        gram: out,
      });
      return Float64Array.from(await readFloat32(scope.device, out, columns * columns));
    } finally {
      scope.release();
    }
  }

  /**
   * Image `image`'s map in `maps` from one value per segment: on the GPU (segment-scatter straight
   * into the attribution tensor's buffer) or by its reference, wherever `maps` lives.
   */
  async scatter(values: ArrayLike<number>, maps: SegmentMaps, image: number): Promise<void> {
    const target = maps.gpuTarget(image);
    if (!target) return maps.writeHost(image, this.map.labels, values);
    invariant(this.gpu && this.scope, 'SegmentWorkspace.scatter into GPU maps on the cpu path');
    const scope = new GpuScope(this.scope.device);
    try {
      await runKernel(scope.device, segmentScatter, {
        params: { pixels: maps.pixels, outOffset: target.offset },
        segments: this.gpu.segments,
        values: scope.upload(Float32Array.from(values), 'scatter.values'),
        output: target.buffer,
      });
    } finally {
      scope.release();
    }
  }

  /**
   * The per-pixel map of per-segment values on the host, for progress reports (which hand the
   * listener a copy anyway): a gather on the host costs less than a scatter on the GPU and a readback.
   */
  hostMap(values: ArrayLike<number>): Float32Array {
    return segmentScatterRef(this.map.labels, Float32Array.from(values));
  }

  release(): void {
    this.scope?.release();
  }
}
