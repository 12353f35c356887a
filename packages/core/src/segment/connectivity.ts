// SPDX-License-Identifier: Apache-2.0

/**
 * Makes every label a 4-connected region, as skimage's `_enforce_label_connectivity_cython`
 * (used by `slic(enforce_connectivity=True)`): scanning in raster order, each connected component
 * of an input label gets a new label; a component smaller than `minSize` pixels joins the label of
 * a neighbour of its first pixel (the last one seen, up or left). Returns labels 0 .. count - 1.
 */
export function enforceConnectivity(
  labels: ArrayLike<number>,
  height: number,
  width: number,
  minSize: number,
): { labels: Int32Array; count: number } {
  const pixels = height * width;
  const out = new Int32Array(pixels).fill(-1);
  const queue = new Int32Array(pixels);
  let next = 0;
  let adjacent = 0;
  for (let start = 0; start < pixels; start++) {
    if (out[start]! >= 0) continue;
    const sy = Math.floor(start / width);
    const sx = start - sy * width;
    if (sx > 0 && out[start - 1]! >= 0) adjacent = out[start - 1]!;
    if (sy > 0 && out[start - width]! >= 0) adjacent = out[start - width]!;
    const original = labels[start]!;
    out[start] = next;
    let head = 0;
    let tail = 0;
    queue[tail++] = start;
    while (head < tail) {
      const p = queue[head++]!;
      const x = p % width;
      // Neighbours inline (no closure): left, right, up, down.
      if (x > 0 && out[p - 1]! < 0 && labels[p - 1] === original) {
        out[p - 1] = next;
        queue[tail++] = p - 1;
      }
      if (x + 1 < width && out[p + 1]! < 0 && labels[p + 1] === original) {
        out[p + 1] = next;
        queue[tail++] = p + 1;
      }
      if (p >= width && out[p - width]! < 0 && labels[p - width] === original) {
        out[p - width] = next;
        queue[tail++] = p - width;
      }
      if (p + width < pixels && out[p + width]! < 0 && labels[p + width] === original) {
        out[p + width] = next;
        queue[tail++] = p + width;
      }
    }
    if (tail < minSize && next > 0) {
      for (let i = 0; i < tail; i++) out[queue[i]!] = adjacent;
    } else {
      next++;
    }
  }
  return { labels: out, count: Math.max(1, next) };
}

/** Relabels any label map to 0 .. count - 1 in order of first appearance. */
export function compactLabels(labels: ArrayLike<number>): { labels: Int32Array; count: number } {
  const map = new Map<number, number>();
  const out = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i]!;
    let m = map.get(l);
    if (m === undefined) map.set(l, (m = map.size));
    out[i] = m;
  }
  return { labels: out, count: map.size };
}
