// SPDX-License-Identifier: Apache-2.0
// How large one image's biggest tensor gets inside a model's forward pass. On tfjs's webgpu backend
// every tensor is one storage binding, so a batch of B images needs B times that within the device's
// maxStorageBufferBindingSize: MobileNetV2-224's 112x112x96 activation is 4.8 MB an image, and the
// 64-image default batch of the forward-pass methods (sized by the input alone, 0.6 MB an image)
// failed WebGPU validation in its first convolution (session 36).
import * as tf from '@tensorflow/tfjs';
import type { ModelAdapter } from './types.js';

/** Per model source, per image shape: the bytes found (a probe runs once per pair). */
const known = new WeakMap<object, Map<string, Promise<number>>>();

/**
 * Bytes of the largest tensor one image of `imageShape` ([height, width, channels]) makes in a
 * forward pass of `model` (its input included; 4 bytes a value). A LayersModel's layers are read off
 * its static output shapes; a GraphModel is probed once with one zero image under tf.profile, which
 * lists every kernel's output shape. A model function gets its input's size: it is the user's code,
 * called no more often than the method needs (a batch too large for it fails with a ModelError that
 * names batchSize, model/adapt.ts). 0 for a black box (it does not run on tfjs's device) and on
 * backends without binding limits (nothing to fit).
 */
export function largestActivationBytes(model: ModelAdapter, imageShape: readonly [number, number, number]): Promise<number> {
  if (!model.forward || tf.getBackend() !== 'webgpu') return Promise.resolve(0);
  const input = 4 * imageShape[0] * imageShape[1] * imageShape[2];
  if (model.kind === 'function') return Promise.resolve(input);
  let perShape = known.get(model.source);
  if (!perShape) known.set(model.source, (perShape = new Map<string, Promise<number>>()));
  const key = imageShape.join('x');
  let bytes = perShape.get(key);
  if (!bytes) {
    const fromLayers = model.kind === 'layers' ? largestLayerOutput(model.source as tf.LayersModel) : undefined;
    // tf.profile does not nest (an inner profile ends the outer one's recording): inside someone's
    // profile the input's size is all this knows, and nothing is kept.
    if (fromLayers === undefined && (tf.engine().state as unknown as { profiling?: boolean }).profiling) return Promise.resolve(input);
    // A probe that fails (a model that rejects a zero image) leaves the input's size: the real call
    // then reports its own error.
    bytes =
      fromLayers !== undefined ? Promise.resolve(Math.max(input, fromLayers)) : probe(model.forward, imageShape, input).catch(() => input);
    perShape.set(key, bytes);
  }
  return bytes;
}

/** The largest layer output of `model` (nested models' layers too), in bytes per image; undefined when a shape is not static. */
function largestLayerOutput(model: tf.LayersModel): number | undefined {
  let largest = 0;
  for (const layer of model.layers) {
    const nested = (layer as unknown as { layers?: unknown }).layers;
    const inner = Array.isArray(nested) ? largestLayerOutput(layer as unknown as tf.LayersModel) : 0;
    const outer = shapesOf(layer).map(perImageBytes);
    if (inner === undefined || outer.some((b) => b === undefined)) return undefined;
    largest = Math.max(largest, inner, ...(outer as number[]));
  }
  return largest;
}

/** A layer's output shapes (one per output), as tfjs reports them ([null, ...] for the batch). */
function shapesOf(layer: tf.layers.Layer): (readonly (number | null)[])[] {
  const shape = layer.outputShape;
  return Array.isArray(shape[0]) ? (shape as (number | null)[][]) : [shape as (number | null)[]];
}

/** Bytes of one image's share of a tensor of `shape` (its first dimension the batch), or undefined if one is unknown. */
function perImageBytes(shape: readonly (number | null)[]): number | undefined {
  let values = 1;
  for (const d of shape.slice(1)) {
    if (d === null || !(d >= 0)) return undefined;
    values *= d;
  }
  return 4 * values;
}

/** The largest kernel output of one zero image through `forward`, in bytes (at least the input's; a kernel output that does not scale with the batch counts too: the estimate errs towards smaller batches). */
async function probe(
  forward: (x: tf.Tensor4D) => tf.Tensor,
  imageShape: readonly [number, number, number],
  input: number,
): Promise<number> {
  const info = await tf.profile(() => {
    const x = tf.zeros<tf.Rank.R4>([1, ...imageShape]);
    const y = forward(x);
    x.dispose();
    return y;
  });
  tf.dispose(info.result);
  let largest = input;
  for (const kernel of info.kernels) {
    for (const shape of kernel.outputShapes) largest = Math.max(largest, 4 * shape.reduce((a, b) => a * b, 1));
  }
  return largest;
}
