// SPDX-License-Identifier: Apache-2.0

const DIGIT_BITS = 16;
const DIGITS = 1 << DIGIT_BITS;

/**
 * The indices 0 .. keys.length - 1 ordered by key, ties by index: the order of
 * `indices.sort((a, b) => keys[a] - keys[b] || a - b)`. Non-negative keys (the usual case: edge
 * costs, distances) go through a least-significant-digit radix sort on their IEEE-754 bits (stable,
 * so ties stay in index order; the bits of non-negative doubles order as the values do), 4 passes of
 * 16 bits. Felzenszwalb's ~200k edges at 224x224: the comparator sort was most of the ~100 ms a
 * segmentation took in V8 (Node, session 29); the whole graph (smoothing, edges, this sort) now takes
 * 12-20 ms. NaN or negative keys take the comparator sort (same order as before).
 */
export function stableAscendingOrder(keys: Float64Array): Int32Array {
  const length = keys.length;
  let order = new Int32Array(length);
  for (let i = 0; i < length; i++) order[i] = i;
  const normalized = new Float64Array(length);
  for (let i = 0; i < length; i++) {
    const key = keys[i]!;
    if (!(key >= 0)) return order.sort((a, b) => keys[a]! - keys[b]! || a - b);
    normalized[i] = key + 0; // -0 + 0 = +0: equal keys get equal bits
  }
  const words = new Uint32Array(normalized.buffer);
  const little = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
  let spare = new Int32Array(length);
  const count = new Int32Array(DIGITS);
  for (let pass = 0; pass < 4; pass++) {
    // Pass 0 and 1: the low word's halves; 2 and 3: the high word's.
    const word = (pass >> 1) ^ (little ? 0 : 1);
    const shift = (pass & 1) * DIGIT_BITS;
    count.fill(0);
    for (let i = 0; i < length; i++) count[(words[2 * i + word]! >>> shift) & (DIGITS - 1)]!++;
    if (count[(words[word]! >>> shift) & (DIGITS - 1)] === length) continue; // one digit value: nothing moves
    let start = 0;
    for (let d = 0; d < DIGITS; d++) {
      const n = count[d]!;
      count[d] = start;
      start += n;
    }
    for (let i = 0; i < length; i++) {
      const index = order[i]!;
      spare[count[(words[2 * index + word]! >>> shift) & (DIGITS - 1)]!++] = index;
    }
    [order, spare] = [spare, order];
  }
  return order;
}
