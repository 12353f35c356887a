// SPDX-License-Identifier: Apache-2.0
import type { ScratchArrays } from './scratch-arrays.js';

const DIGIT_BITS = 16;
const DIGITS = 1 << DIGIT_BITS;

/**
 * The indices 0 .. keys.length - 1 ordered by key, ties by index: the order of
 * `indices.sort((a, b) => keys[a] - keys[b] || a - b)`. Non-negative keys (the usual case: edge
 * costs, distances) go through a least-significant-digit radix sort on their IEEE-754 bits (stable,
 * so ties stay in index order; the bits of non-negative doubles order as the values do): two passes
 * of 16 bits over the high word, then the rare ties there ordered by the low word. Felzenszwalb's
 * ~200k edges at 224x224: the comparator sort was most of the ~100 ms a segmentation took in V8
 * (Node, session 29). Zero keys (the flat areas of an image: 70% of an MNIST digit's edges at 224) are the
 * smallest and all tie, so they go first in index order and only the others are radix-sorted.
 * NaN or negative keys take the comparator sort (same order as before).
 * With `scratch`, the sort's arrays and the returned order are views into it (valid until its next
 * user); without, they are new.
 */
export function stableAscendingOrder(keys: Float64Array, scratch?: ScratchArrays): Int32Array {
  const length = keys.length;
  const order = scratch ? scratch.int32('order', length) : new Int32Array(length);
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
  radixSortByKey(order.subarray(zeros), keys, scratch);
  return order;
}

/**
 * Sorts `indices` (in place, stably) by their positive, finite-or-infinite `keys`' bits: the high
 * 32-bit word's two 16-bit digits, then, where high words tie, by the low word (ties by index).
 * The high word (sign, exponent, 20 bits of mantissa) already orders almost every key: an MNIST
 * digit's 80k edge costs at 224 tie in it for 21k keys in 6.7k runs, a photo's 200k for 7.5k, so
 * two radix passes and a fix-up of those runs replace the low word's two passes. The high word is
 * gathered once into an array that moves with the indices, so the passes read it front to back.
 */
function radixSortByKey(indices: Int32Array, keys: Float64Array, scratch: ScratchArrays | undefined): void {
  const length = indices.length;
  if (length < 2) return;
  const words = new Uint32Array(keys.buffer, keys.byteOffset, keys.length * 2);
  const little = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
  const [low, high] = little ? [0, 1] : [1, 0];
  // Every element of these is written before it is read (count: by sortByDigit's fill).
  const int32 = (slot: string, n: number) => (scratch ? scratch.int32(slot, n) : new Int32Array(n));
  const uint32 = (slot: string, n: number) => (scratch ? scratch.uint32(slot, n) : new Uint32Array(n));
  const sort = {
    order: indices,
    spare: int32('radixSpare', length),
    word: uint32('radixWord', length),
    spareWord: uint32('radixSpareWord', length),
  };
  const count = int32('radixCount', DIGITS);
  for (let i = 0; i < length; i++) sort.word[i] = words[2 * sort.order[i]! + high]!;
  sortByDigit(sort, 0, count, true);
  sortByDigit(sort, DIGIT_BITS, count, true);
  orderTiedHighWords(sort.order, sort.word, (index) => words[2 * index + low]!);
  if (sort.order !== indices) indices.set(sort.order);
}

/** Runs this long or shorter are insertion-sorted; longer ones (rare) take the comparator sort. */
const SHORT_RUN = 16;

/**
 * Within each run of equal `high` words of `order` (in index order there), orders the indices by
 * `lowOf(index)`, ties by index.
 */
function orderTiedHighWords(order: Int32Array, high: Uint32Array, lowOf: (index: number) => number): void {
  const length = order.length;
  for (let start = 0, end = 1; start < length; start = end, end = start + 1) {
    while (end < length && high[end] === high[start]) end++;
    if (end - start < 2) continue;
    if (end - start > SHORT_RUN) {
      order.subarray(start, end).sort((a, b) => lowOf(a) - lowOf(b) || a - b);
      continue;
    }
    for (let i = start + 1; i < end; i++) {
      const index = order[i]!;
      const key = lowOf(index);
      let j = i - 1;
      // the run starts in index order, so a later index with an equal low word stays after
      for (; j >= start && lowOf(order[j]!) > key; j--) order[j + 1] = order[j]!;
      order[j + 1] = index;
    }
  }
}

/**
 * One stable counting pass of `sort.order` by the digit of `sort.word` at `shift` (the word moves
 * along when `carryWord`: the next pass reads it); swaps the arrays unless every digit is equal.
 */
function sortByDigit(
  sort: { order: Int32Array; spare: Int32Array; word: Uint32Array; spareWord: Uint32Array },
  shift: number,
  count: Int32Array,
  carryWord: boolean,
): void {
  const { order, spare, word, spareWord } = sort;
  const length = order.length;
  count.fill(0);
  for (let i = 0; i < length; i++) count[(word[i]! >>> shift) & (DIGITS - 1)]!++;
  if (count[(word[0]! >>> shift) & (DIGITS - 1)] === length) return; // one digit value: nothing moves
  let start = 0;
  for (let d = 0; d < DIGITS; d++) {
    const n = count[d]!;
    count[d] = start;
    start += n;
  }
  for (let i = 0; i < length; i++) {
    const w = word[i]!;
    const to = count[(w >>> shift) & (DIGITS - 1)]!++;
    spare[to] = order[i]!;
    if (carryWord) spareWord[to] = w;
  }
  [sort.order, sort.spare] = [spare, order];
  if (carryWord) [sort.word, sort.spareWord] = [spareWord, word];
}
