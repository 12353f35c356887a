// SPDX-License-Identifier: Apache-2.0
import { ShapeMismatchError } from '../runtime/errors.js';

/**
 * CPU reference for broadcast-mean.wgsl: each value added `positions` times in f32 (rounded after
 * every add, as the kernel and tfjs's AvgPool do), divided by the count. `[values.length]`.
 */
export function broadcastMeanRef(values: ArrayLike<number>, positions: number): Float32Array<ArrayBuffer> {
  if (!Number.isInteger(positions) || positions < 0) {
    throw new ShapeMismatchError(`broadcastMeanRef: positions must be a whole number >= 0, got ${positions}`);
  }
  return Float32Array.from(values, (v) => {
    const value = Math.fround(v);
    let total = 0;
    for (let p = 0; p < positions; p++) total = Math.fround(total + value);
    return Math.fround(total / Math.max(positions, 1));
  });
}
