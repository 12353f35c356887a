// SPDX-License-Identifier: Apache-2.0
import { perturbBatch, runKernel } from '@webxai/shaders';
import { gpuBufferOf, tfjsDevice } from '../../interop/tfjs-webgpu.js';
import { evaluateBatches, hostBatches, type BatchWriter, type PerturbationEnv } from '../../perturbation/shared/evaluate.js';
import { GpuScope } from '../../perturbation/shared/gpu-scope.js';
import { CpuPerturber } from '../../perturbation/shared/perturb-cpu.js';
import type * as tf from '@tensorflow/tfjs';
import type { MetricInputs } from '../types.js';

/** Keep-masks (1 = the image's pixel, 0 = the fill's; one value per pixel) of samples first .. first + count - 1. */
export interface MaskSource {
  /**
   * GPU path: writes the masks into `masks` (count * pixels f32) with kernels or a queue write;
   * buffers it needs come from `scope` (released after the image).
   */
  gpu(scope: GpuScope, masks: GPUBuffer, first: number, count: number): Promise<void>;
  /** CPU path and black boxes: the same masks into `out`. */
  cpu(out: Float32Array, first: number, count: number): void;
}

/** One image of the batch: [1, h, w, c] on the model's device and its HWC values. */
export interface MetricImage {
  readonly tensor: tf.Tensor4D;
  readonly values: Float32Array;
}

/** The perturbation environment of a metric's model calls. */
export function metricEnv(method: string, inputs: MetricInputs): PerturbationEnv {
  const { model, height, width, channels, batchSize, path, signal, preprocess } = inputs;
  return { method, model, geometry: { height, width, channels }, batchSize, path, signal, preprocess };
}

/**
 * The model's scores for `total` masked copies of one image (fill where the mask is 0), as rows of
 * `classes` values. Reuses the perturbation methods' batch machinery: on the GPU path the masks are
 * built on the GPU and perturb-batch writes every batch straight into the model's input buffer; a
 * black box gets its batch written on the host (NCHW for a planar ONNX model), with no readback.
 */
export async function scoreMaskedImages(
  method: string,
  inputs: MetricInputs,
  image: MetricImage,
  fill: Float32Array<ArrayBuffer>,
  total: number,
  source: MaskSource,
): Promise<{ scores: Float32Array; classes: number }> {
  const env = metricEnv(method, inputs);
  const pixels = inputs.height * inputs.width;
  const rows: Float32Array[] = [];
  let classes = 0;
  const collect = (_first: number, _count: number, scores: Float32Array, k: number) => {
    rows.push(scores.slice());
    classes = k;
  };
  if (inputs.path === 'gpu' && !hostBatches(env)) {
    const device = tfjsDevice();
    const scope = new GpuScope(device);
    try {
      const imageBuffer = gpuBufferOf(image.tensor);
      const fillBuffer = scope.upload(fill, `${method}.fill`);
      const unused = scope.create(16, `${method}.segments`);
      const masks = scope.create(Math.min(env.batchSize, total) * pixels * 4, `${method}.masks`);
      const writer: BatchWriter = {
        on: 'gpu',
        async write(output, first, count) {
          await source.gpu(scope, masks, first, count);
          await runKernel(device, perturbBatch.pixels, {
            params: { count, pixels, channels: inputs.channels, maskStride: pixels, sampleOffset: 0, outOffset: 0 },
            image: imageBuffer,
            fillImage: fillBuffer,
            segments: unused,
            masks,
            output,
          });
        },
      };
      await evaluateBatches(env, total, writer, collect);
    } finally {
      scope.release();
    }
  } else {
    const perturber = new CpuPerturber(image.values, fill, undefined, pixels, inputs.channels, inputs.width);
    let masks = new Float32Array(0);
    const writer: BatchWriter = {
      on: 'host',
      write(out, first, count, layout) {
        if (masks.length < count * pixels) masks = new Float32Array(count * pixels);
        source.cpu(masks, first, count);
        perturber.write(out, masks, pixels, count, 0, layout);
      },
    };
    await evaluateBatches(env, total, writer, collect);
  }
  const scores = new Float32Array(total * classes);
  let offset = 0;
  for (const r of rows) {
    scores.set(r, offset);
    offset += r.length;
  }
  return { scores, classes };
}

/** A mask source from host masks (random subsets): the GPU path uploads each batch's rows. */
export function hostMaskSource(masks: Float32Array<ArrayBuffer>, pixels: number): MaskSource {
  return {
    async gpu(scope, buffer, first, count) {
      scope.device.queue.writeBuffer(buffer, 0, masks, first * pixels, count * pixels);
    },
    cpu(out, first, count) {
      out.set(masks.subarray(first * pixels, (first + count) * pixels));
    },
  };
}
