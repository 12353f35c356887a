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
 * 12-20 ms. Zero keys (the flat areas of an image: 70% of an MNIST digit's edges at 224) are the
 * smallest and all tie, so they go first in index order and only the others are radix-sorted.
 * NaN or negative keys take the comparator sort (same order as before).
 */
export function stableAscendingOrder(keys: Float64Array): Int32Array {
  const length = keys.length;
  const order = new Int32Array(length);
  let zeros = 0;
  for (let i = 0; i < length; i++) {
    const key = keys[i]!;
    if (!(key >= 0)) {
      for (let j = 0; j < length; j++) order[j] = j;
      return order.sort((a, b) => keys[a]! - keys[b]! || a - b);
    }
    if (key === 0) zeros++; // -0 too: equal to +0
  }
  let zero = 0;
  let positive = zeros;
  for (let i = 0; i < length; i++) order[keys[i] === 0 ? zero++ : positive++] = i;
  radixSortByKey(order.subarray(zeros), keys);
  return order;
}

/** Sorts `indices` (in place, stably) by their positive, finite-or-infinite `keys`' bits. */
function radixSortByKey(indices: Int32Array, keys: Float64Array): void {
  const length = indices.length;
  if (length < 2) return;
  const words = new Uint32Array(keys.buffer, keys.byteOffset, keys.length * 2);
  const little = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
  let order: Int32Array = indices;
  let spare: Int32Array = new Int32Array(length);
  const count = new Int32Array(DIGITS);
  for (let pass = 0; pass < 4; pass++) {
    // Pass 0 and 1: the low word's halves; 2 and 3: the high word's.
    const word = (pass >> 1) ^ (little ? 0 : 1);
    const shift = (pass & 1) * DIGIT_BITS;
    count.fill(0);
    for (let i = 0; i < length; i++) count[(words[2 * order[i]! + word]! >>> shift) & (DIGITS - 1)]!++;
    if (count[(words[2 * order[0]! + word]! >>> shift) & (DIGITS - 1)] === length) continue; // one digit value: nothing moves
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
  if (order !== indices) indices.set(order);
}
