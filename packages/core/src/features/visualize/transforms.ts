// SPDX-License-Identifier: Apache-2.0
// Transformation robustness (Olah et al. 2017): every step, every image is seen through its own
// random jitter, scale and rotation (and resized to the model's input) by the affine-sample
// kernel; the gradient goes back through affine-sample-adjoint (which scans only each row's
// footprint: ~3x less per step than its first, bounding-box form). The chain rule
// is applied by hand around the two kernels (they dispatch asynchronously, which tf.customGrad's
// synchronous forward cannot wait for): d objective / d image = adjoint(d objective / d transformed image).
// The record* forms put a kernel into a caller's KernelBatch (gpu-step.ts).
import * as tf from '@tensorflow/tfjs';
import {
  affineSample,
  affineSamplePaddedFor,
  affineSampleAdjoint,
  affineSampleAdjointRef,
  affineSampleRef,
  checkAffineSample,
  recordKernels,
  uniformRef,
  type AffineSampleShape,
  type ImageLayout,
  type KernelBatch,
} from '@webxai/shaders';
import type { ExecutionPath } from '../../api/types.js';
import { gpuBufferOf, kernelToTensor, tfjsDevice } from '../../interop/tfjs-webgpu.js';

/** Random transformations per step and image (all in pixels / degrees of the optimised image). */
export interface TransformOptions {
  /** Largest shift in each direction (default 8, as Lucid's jitter(8)). */
  readonly jitter?: number;
  /** Zoom range [min, max] (default [0.95, 1.05]). */
  readonly scale?: readonly [number, number];
  /** Largest rotation either way, in degrees (default 10). */
  readonly rotate?: number;
}

export const DEFAULT_TRANSFORMS: Required<TransformOptions> = { jitter: 8, scale: [0.95, 1.05], rotate: 10 };

/** Grey: the border the transformed images show outside the optimised image. */
export const BORDER = 0.5;

/**
 * Row-major [count][6] maps from model-input pixels to image pixels for one step: about the
 * centres, rotate by theta, zoom by s, resize image -> input, shift by (dx, dy). Uniform draws
 * from the seeded Threefry stream, 4 per image per step, so a run repeats exactly.
 */
export function stepTransforms(
  options: Required<TransformOptions> | false,
  seed: number,
  step: number,
  count: number,
  image: readonly [number, number],
  input: readonly [number, number],
): Float32Array<ArrayBuffer> {
  const [h, w] = image;
  const [H, W] = input;
  const u = options ? uniformRef(seed, step * count * 4, count * 4) : new Float32Array(count * 4).fill(0.5);
  const out = new Float32Array(count * 6);
  for (let n = 0; n < count; n++) {
    const [r0, r1, r2, r3] = [u[n * 4]!, u[n * 4 + 1]!, u[n * 4 + 2]!, u[n * 4 + 3]!];
    const o = options || { jitter: 0, scale: [1, 1] as const, rotate: 0 };
    const theta = ((2 * r0 - 1) * o.rotate * Math.PI) / 180;
    const zoom = o.scale[0] + (o.scale[1] - o.scale[0]) * r1;
    const [dx, dy] = [(2 * r2 - 1) * o.jitter, (2 * r3 - 1) * o.jitter];
    const [rx, ry] = [w / W / zoom, h / H / zoom];
    const [a, b, c, d] = [Math.cos(theta) * rx, -Math.sin(theta) * ry, Math.sin(theta) * rx, Math.cos(theta) * ry];
    const [ox, oy, cx, cy] = [(W - 1) / 2, (H - 1) / 2, (w - 1) / 2, (h - 1) / 2];
    out.set([a, b, cx - a * ox - b * oy + dx, c, d, cy - c * ox - d * oy + dy], n * 6);
  }
  return out;
}

/** Shapes of one transform call: images [n, h, w, c] seen at the model's input size [H, W]. */
function shapeOf(images: readonly number[], input: readonly [number, number]): AffineSampleShape {
  const [count, srcHeight, srcWidth, channels] = images as [number, number, number, number];
  return { images: count, srcHeight, srcWidth, outHeight: input[0], outWidth: input[1], channels };
}

const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** The shape [n, H, W, c] of `images` [n, h, w, c] transformed to the model's input [H, W]. */
export function transformedShape(images: readonly number[], input: readonly [number, number]): [number, number, number, number] {
  const shape = shapeOf(images, input);
  return [shape.images, input[0], input[1], shape.channels];
}

/** The kernels' shape of `images` seen at `input` through `maps`, checked (both record* forms take the same). */
function checkedShape(images: readonly number[], input: readonly [number, number], maps: ArrayLike<number>): AffineSampleShape {
  const shape = shapeOf(images, input);
  checkAffineSample(shape, sizeOf(images), sizeOf(transformedShape(images, input)), maps);
  return shape;
}

/**
 * Records affine-sample: `src` (images of shape `images`, in `layout`: 'padded' reads 4 floats per
 * pixel with affine-sample-padded, bit-identical and cheaper) seen through `maps` (also uploaded as
 * `transforms`) into `output` (packed NHWC), at the model's input size. webgpu backend.
 */
export function recordTransform(
  batch: KernelBatch,
  images: readonly number[],
  input: readonly [number, number],
  maps: ArrayLike<number>,
  buffers: { readonly src: GPUBuffer; readonly transforms: GPUBuffer; readonly output: GPUBuffer },
  layout: ImageLayout = 'packed',
): void {
  const shape = checkedShape(images, input, maps);
  // Padded: the channels a pipeline constant (the stores' guards fold; 0.93x that kernel's CPU time on lavapipe).
  const kernel = layout === 'padded' ? affineSamplePaddedFor(shape.channels) : affineSample;
  batch.dispatch(kernel, { params: { ...shape, fill: BORDER }, ...buffers });
}

/**
 * Records affine-sample-adjoint: `grad` (the gradient with respect to the transformed images
 * of {@link recordTransform} with the same arguments) into `gradSrc` (with respect to `images`).
 */
export function recordTransformGradient(
  batch: KernelBatch,
  images: readonly number[],
  input: readonly [number, number],
  maps: ArrayLike<number>,
  buffers: { readonly grad: GPUBuffer; readonly transforms: GPUBuffer; readonly gradSrc: GPUBuffer },
): void {
  batch.dispatch(affineSampleAdjoint, { params: checkedShape(images, input, maps), ...buffers });
}

/** Runs `record` into a new tensor of `shape`, with `maps` uploaded for the dispatch. */
async function dispatchInto(
  shape: readonly number[],
  maps: Float32Array<ArrayBuffer>,
  record: (batch: KernelBatch, transforms: GPUBuffer, out: GPUBuffer) => void,
): Promise<tf.Tensor4D> {
  const transforms = tf.tensor1d(maps);
  try {
    const buffer = gpuBufferOf(transforms);
    return (await kernelToTensor(shape, (out) =>
      recordKernels(tfjsDevice(), 'affine-sample', (batch) => record(batch, buffer, out)),
    )) as tf.Tensor4D;
  } finally {
    transforms.dispose();
  }
}

/** `images` [n, h, w, c] seen through `maps`, at the model's input size [n, H, W, c]. Inputs not disposed. */
export async function transformImages(
  images: tf.Tensor4D,
  maps: Float32Array<ArrayBuffer>,
  input: readonly [number, number],
  path: ExecutionPath,
): Promise<tf.Tensor4D> {
  const outShape = transformedShape(images.shape, input);
  if (path === 'cpu') return tf.tensor4d(affineSampleRef(await images.data(), maps, shapeOf(images.shape, input), BORDER), outShape);
  const src = gpuBufferOf(images);
  return dispatchInto(outShape, maps, (batch, transforms, output) =>
    recordTransform(batch, images.shape, input, maps, { src, transforms, output }),
  );
}

/** The gradient with respect to `images` from the gradient with respect to their transformed copies. */
export async function transformGradient(
  gradient: tf.Tensor4D,
  maps: Float32Array<ArrayBuffer>,
  image: readonly [number, number],
  path: ExecutionPath,
): Promise<tf.Tensor4D> {
  const [count, outHeight, outWidth, channels] = gradient.shape;
  const srcShape: [number, number, number, number] = [count, image[0], image[1], channels];
  const input: [number, number] = [outHeight, outWidth];
  if (path === 'cpu') return tf.tensor4d(affineSampleAdjointRef(await gradient.data(), maps, shapeOf(srcShape, input)), srcShape);
  const grad = gpuBufferOf(gradient);
  return dispatchInto(srcShape, maps, (batch, transforms, gradSrc) =>
    recordTransformGradient(batch, srcShape, input, maps, { grad, transforms, gradSrc }),
  );
}
