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

describe('fillImage mean', () => {
  it('is each superpixel mean per channel, as f64 sums over its pixels rounded once to f32 (bit for bit)', () => {
    const [h, w, c] = [5, 7, 3];
    const values = seededF32(h * w * c, 12, -1, 1);
    // Labels 0..3 in stripes and a stray pixel; label 4 is counted but has no pixel (never read).
    const labels = Int32Array.from({ length: h * w }, (_, p) => (p === 17 ? 3 : Math.floor(p / 10)));
    const got = fillImage('mean', values, { labels, count: 5 }, h, w, c);
    const expected = new Float32Array(h * w * c);
    for (let p = 0; p < h * w; p++)
      for (let ch = 0; ch < c; ch++) {
        let [sum, n] = [0, 0];
        for (let q = 0; q < h * w; q++) if (labels[q] === labels[p]) [sum, n] = [sum + values[q * c + ch]!, n + 1];
        expected[p * c + ch] = sum / n;
      }
    expect(new Uint32Array(got.buffer)).toEqual(new Uint32Array(expected.buffer));
  });
});
