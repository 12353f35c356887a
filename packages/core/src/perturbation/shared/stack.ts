// SPDX-License-Identifier: Apache-2.0
import * as tf from '@tensorflow/tfjs';

/** Stacks per-image maps (each `height * width` values) into one float32 tensor [n, height, width]. */
export function stackMaps(maps: readonly Float32Array[], height: number, width: number): tf.Tensor3D {
  const out = new Float32Array(maps.length * height * width);
  maps.forEach((m, i) => out.set(m, i * height * width));
  return tf.tensor3d(out, [maps.length, height, width]);
}
