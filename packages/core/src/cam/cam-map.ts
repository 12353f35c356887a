// SPDX-License-Identifier: Apache-2.0
// The cam-map kernel on tfjs tensors: WGSL on tfjs's device (zero-copy) or its CPU reference.
import * as tf from '@tensorflow/tfjs';
import { camMapFor, camMapRef, runKernelSync, type CamWeighting } from '@webxai/shaders';
import type { ExecutionPath } from '../api/types.js';
import { tfjsDevice } from '../interop/tfjs-webgpu.js';
import { streamToNewTensors } from '../interop/webgpu-kernel-backend.js';

/** The layer-resolution map and the upsampled, normalised attribution of one layer. */
export interface CamMaps {
  readonly map: tf.Tensor3D;
  readonly attribution: tf.Tensor3D;
  /** `[n]`: each map's maximum (0 for a blank map). */
  readonly mapPeaks: tf.Tensor1D;
}

/**
 * Weighted channel sum + ReLU + upsample to `[outHeight, outWidth]` + min-max normalisation
 * (again after the upsample when `finalNormalise`). `weights` is `[n, k]` ('channel') or the
 * activation's shape. Inputs are not disposed.
 */
export async function camMaps(
  activation: tf.Tensor4D,
  weights: tf.Tensor,
  weighting: CamWeighting,
  out: readonly [number, number],
  finalNormalise: boolean,
  path: ExecutionPath,
): Promise<CamMaps> {
  const [images, height, width, channels] = activation.shape;
  const shape = { images, height, width, channels, outHeight: out[0], outWidth: out[1] };
  if (path === 'cpu') {
    const [a, w] = await Promise.all([activation.data(), weights.data()]);
    const { map, output, peaks } = camMapRef(a, w, shape, weighting, finalNormalise);
    return {
      map: tf.tensor3d(map, [images, height, width]),
      attribution: tf.tensor3d(output, [images, out[0], out[1]]),
      mapPeaks: tf.tensor1d(peaks),
    };
  }
  const shapes = [[images, height, width], [images, out[0], out[1]], [images]];
  const [map, attribution, peaks] = await streamToNewTensors(shapes, [activation, weights], ([map, output, peaks], buffer, sink) =>
    runKernelSync(
      tfjsDevice(),
      camMapFor(weighting, finalNormalise),
      {
        params: shape,
        act: buffer(activation),
        weights: buffer(weights),
        map: map!,
        output: output!,
        peaks: peaks!,
      },
      sink,
    ),
  );
  return { map: map as tf.Tensor3D, attribution: attribution as tf.Tensor3D, mapPeaks: peaks as tf.Tensor1D };
}
