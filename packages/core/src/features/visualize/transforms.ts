// SPDX-License-Identifier: Apache-2.0
// Transformation robustness (Olah et al. 2017): every step, every image is seen through its own
// random jitter, scale and rotation (and resized to the model's input) by the affine-sample
// kernel; the gradient goes back through affine-sample-adjoint-rows (the adjoint that scans only
// each row's footprint: the plain affine-sample-adjoint cost more than all the other non-model work). The chain rule is applied by hand
// around the two kernels (they dispatch asynchronously, which tf.customGrad's synchronous
// forward cannot wait for): d objective / d image = adjoint(d objective / d transformed image).
import * as tf from '@tensorflow/tfjs';
import {
  affineSample,
  affineSampleAdjointRows,
  affineSampleAdjointRef,
  affineSampleRef,
  checkAffineSample,
  runKernel,
  uniformRef,
} from '@webxai/shaders';
import type { ExecutionPath } from '../../api/types.js';
import { createTensorBuffer, gpuBufferOf, tfjsDevice } from '../../interop/tfjs-webgpu.js';

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

/** Shapes of one transform call. */
function shapeOf(images: tf.Tensor4D, input: readonly [number, number]) {
  const [count, srcHeight, srcWidth, channels] = images.shape;
  return { images: count, srcHeight, srcWidth, outHeight: input[0], outWidth: input[1], channels };
}

/** Runs one of the two kernels into a new tensor of `shape`, with `maps` uploaded for the dispatch. */
async function dispatchInto(
  shape: readonly number[],
  maps: Float32Array<ArrayBuffer>,
  dispatch: (transforms: GPUBuffer, out: GPUBuffer) => Promise<void>,
): Promise<tf.Tensor4D> {
  const transforms = tf.tensor1d(maps);
  const out = createTensorBuffer(shape);
  try {
    await dispatch(gpuBufferOf(transforms), out.buffer);
  } catch (error) {
    out.tensor.dispose();
    throw error;
  } finally {
    transforms.dispose();
  }
  return out.tensor as tf.Tensor4D;
}

/** `images` [n, h, w, c] seen through `maps`, at the model's input size [n, H, W, c]. Inputs not disposed. */
export async function transformImages(
  images: tf.Tensor4D,
  maps: Float32Array<ArrayBuffer>,
  input: readonly [number, number],
  path: ExecutionPath,
): Promise<tf.Tensor4D> {
  const shape = shapeOf(images, input);
  const outShape: [number, number, number, number] = [shape.images, input[0], input[1], shape.channels];
  if (path === 'cpu') return tf.tensor4d(affineSampleRef(await images.data(), maps, shape, BORDER), outShape);
  checkAffineSample(
    shape,
    images.size,
    outShape.reduce((a, b) => a * b),
    maps,
  );
  return dispatchInto(outShape, maps, (transforms, output) =>
    runKernel(tfjsDevice(), affineSample, { params: { ...shape, fill: BORDER }, src: gpuBufferOf(images), transforms, output }),
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
  const shape = { images: count, srcHeight: image[0], srcWidth: image[1], outHeight, outWidth, channels };
  const srcShape: [number, number, number, number] = [count, image[0], image[1], channels];
  if (path === 'cpu') return tf.tensor4d(affineSampleAdjointRef(await gradient.data(), maps, shape), srcShape);
  checkAffineSample(
    shape,
    srcShape.reduce((a, b) => a * b),
    gradient.size,
    maps,
  );
  return dispatchInto(srcShape, maps, (transforms, gradSrc) =>
    runKernel(tfjsDevice(), affineSampleAdjointRows, { params: shape, grad: gpuBufferOf(gradient), transforms, gradSrc }),
  );
}
