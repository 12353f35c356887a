// SPDX-License-Identifier: Apache-2.0
import type { MaxPoolGeometry } from './max-pool-grad.ref.js';

/** tfjs-webgpu's (and direct-max-pool.wgsl's) start value, -1 / pow(10, -20), as a float32. */
export const MAX_POOL_START = Math.fround(-1e20);

/**
 * CPU reference for direct-max-pool.wgsl: 2-D max pooling (NHWC; `g.depth` 1) with tfjs-webgpu's
 * rules: padding is skipped, and every window starts from {@link MAX_POOL_START}, so a window whose
 * values are all below it (or that lies wholly in the padding) gives -1e20. NaN inputs are skipped
 * here; on a GPU their fate is the device's max() (see the .wgsl).
 */
export function directMaxPoolRef(x: ArrayLike<number>, g: MaxPoolGeometry): Float32Array<ArrayBuffer> {
  const y = new Float32Array(g.batch * g.outHeight * g.outWidth * g.channels);
  let o = 0;
  for (let b = 0; b < g.batch; b++) {
    for (let oy = 0; oy < g.outHeight; oy++) {
      for (let ox = 0; ox < g.outWidth; ox++) {
        for (let ch = 0; ch < g.channels; ch++, o++) {
          let result = MAX_POOL_START;
          for (let wr = 0; wr < g.filterHeight; wr++) {
            const r = oy * g.strideHeight - g.padTop + wr;
            if (r < 0 || r >= g.height) continue;
            for (let wc = 0; wc < g.filterWidth; wc++) {
              const c = ox * g.strideWidth - g.padLeft + wc;
              if (c < 0 || c >= g.width) continue;
              const v = x[((b * g.height + r) * g.width + c) * g.channels + ch]!;
              if (v > result) result = v;
            }
          }
          y[o] = result;
        }
      }
    }
  }
  return y;
}
