// SPDX-License-Identifier: Apache-2.0
// Shared by the direct convolution wrappers (direct-conv-kernels.ts, direct-depthwise-kernels.ts):
// tfjs's conv info turned into the geometry webxai's direct kernels take, where they cover it.
import * as tf from '@tensorflow/tfjs';
import type { DirectConvGeometry } from '@webxai/shaders';

/** A rank-4 float32 tensor (the only operands the direct kernels read). */
export const isRank4Float = (t: tf.TensorInfo | undefined): t is tf.TensorInfo => t?.shape.length === 4 && t.dtype === 'float32';

/**
 * The direct kernels' geometry of tfjs's conv info, or undefined when they do not cover it (NCHW,
 * dilation, negative padding, an empty input or output).
 */
export function directConvGeometry(info: tf.backend_util.Conv2DInfo): DirectConvGeometry | undefined {
  if (info.dataFormat !== 'channelsLast' || info.dilationHeight !== 1 || info.dilationWidth !== 1) return undefined;
  if (info.padInfo.top < 0 || info.padInfo.left < 0 || tf.util.sizeFromShape(info.outShape) === 0) return undefined;
  if (tf.util.sizeFromShape(info.inShape) === 0) return undefined;
  return {
    batch: info.batchSize,
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    inChannels: info.inChannels,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    outChannels: info.outChannels,
    filterHeight: info.filterHeight,
    filterWidth: info.filterWidth,
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}
