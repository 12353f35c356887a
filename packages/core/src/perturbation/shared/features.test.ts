// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { seededF32 } from '@webxai/testing';
import { fillImage } from './features.js';

/** cv2.blur with BORDER_REFLECT_101, written out: the mean of the k x k window around each pixel. */
function naiveBlur(values: Float32Array, h: number, w: number, c: number, k: number): Float64Array {
  const reflect = (i: number, n: number) => {
    if (n === 1) return 0;
    while (i < 0 || i >= n) i = i < 0 ? -i : 2 * n - 2 - i;
    return i;
  };
  const before = Math.floor(k / 2);
  const out = new Float64Array(values.length);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let ch = 0; ch < c; ch++) {
        let s = 0;
        for (let dy = 0; dy < k; dy++)
          for (let dx = 0; dx < k; dx++) s += values[(reflect(y - before + dy, h) * w + reflect(x - before + dx, w)) * c + ch]!;
        out[(y * w + x) * c + ch] = s / (k * k);
      }
  return out;
}

describe('fillImage blur', () => {
  it.for([
    [7, 5, 3, 4],
    [6, 9, 1, 3],
    [4, 3, 2, 9], // the window wider than the image: reflected more than once
    [1, 6, 3, 2],
  ] as const)('is the k x k box mean with reflect-101 borders (%i x %i x %i, k = %i)', ([h, w, c, k]) => {
    const values = seededF32(h * w * c, 11, -1, 1);
    const map = { labels: new Int32Array(h * w), count: 1 };
    const got = fillImage({ blur: k }, values, map, h, w, c);
    expect(got).toBeAllClose(naiveBlur(values, h, w, c, k), { abs: 1e-6, rel: 1e-6 });
  });
});
