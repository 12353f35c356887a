// SPDX-License-Identifier: Apache-2.0
import * as tf from '@tensorflow/tfjs';

/** Stacks per-image maps (each `height * width` values) into one float32 tensor [n, height, width]. */
export function stackMaps(maps: readonly Float32Array[], height: number, width: number): tf.Tensor3D {
  const out = new Float32Array(maps.length * height * width);
  maps.forEach((m, i) => out.set(m, i * height * width));
  return tf.tensor3d(out, [maps.length, height, width]);
}

/** Stacks per-image segment label maps (each `height * width` labels) into an int32 tensor [n, height, width]. */
export function stackSegments(labelMaps: readonly Int32Array[], height: number, width: number): tf.Tensor3D {
  const out = new Int32Array(labelMaps.length * height * width);
  labelMaps.forEach((m, i) => out.set(m, i * height * width));
  return tf.tensor3d(out, [labelMaps.length, height, width], 'int32');
}
