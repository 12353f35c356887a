// SPDX-License-Identifier: Apache-2.0
// The feature-mosaic kernel on tfjs tensors: WGSL on tfjs's device (zero-copy) or its CPU reference.
import * as tf from '@tensorflow/tfjs';
import { featureMosaic, featureMosaicRef, mosaicSize, runKernel } from '@webxai/shaders';
import type { ExecutionPath } from '../../api/types.js';
import { createTensorBuffer, gpuBufferOf, tfjsDevice } from '../../interop/tfjs-webgpu.js';

/** How channels are laid out in a mosaic. */
export interface MosaicGrid {
  readonly rows: number;
  readonly cols: number;
  readonly tileHeight: number;
  readonly tileWidth: number;
  /** Pixels between tiles. */
  readonly padding: number;
}

/**
 * Tiles `activation` [n, h, w, k] into one picture per image, slot s showing channel `order[n, s]`
 * min-max normalised to [0, 1]; gaps and empty slots are `background`. Inputs are not disposed.
 */
export async function tileChannels(
  activation: tf.Tensor4D,
  order: tf.Tensor2D,
  grid: MosaicGrid,
  background: number,
  path: ExecutionPath,
): Promise<tf.Tensor3D> {
  const [images, height, width, channels] = activation.shape;
  const shape = { images, height, width, channels, rows: grid.rows, cols: grid.cols, pad: grid.padding };
  const [outH, outW] = mosaicSize(shape);
  if (path === 'cpu') {
    const [a, o] = await Promise.all([activation.data(), order.data()]);
    return tf.tensor3d(featureMosaicRef(a, o, shape, background), [images, outH, outW]);
  }
  const out = createTensorBuffer([images, outH, outW]);
  try {
    await runKernel(tfjsDevice(), featureMosaic, {
      params: { ...shape, background },
      act: gpuBufferOf(activation),
      order: gpuBufferOf(order),
      mosaic: out.buffer,
    });
  } catch (error) {
    out.tensor.dispose();
    throw error;
  }
  return out.tensor;
}
