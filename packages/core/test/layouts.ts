// SPDX-License-Identifier: Apache-2.0
/** NCHW -> NHWC (the inverse of nhwcToNchw), for a planar black box that forwards to an NHWC one. */
export function nchwToNhwc(batch: Float32Array, [n, h, w, c]: [number, number, number, number]): Float32Array {
  const out = new Float32Array(batch.length);
  for (let i = 0; i < n; i++)
    for (let ch = 0; ch < c; ch++) for (let p = 0; p < h * w; p++) out[(i * h * w + p) * c + ch] = batch[(i * c + ch) * h * w + p]!;
  return out;
}
