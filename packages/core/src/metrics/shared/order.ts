// SPDX-License-Identifier: Apache-2.0

/** An unsigned key whose ascending order is the descending order of the f32 value `v` (-0 counts as 0). */
function descendingKey(bits: number): number {
  // IEEE-754 total order: flip every bit of negatives, the sign bit of positives; then invert for descending.
  const ascending = bits & 0x80000000 ? ~bits >>> 0 : (bits | 0x80000000) >>> 0;
  return ~ascending >>> 0;
}

/** Radix digits of the 32-bit keys: three passes of 11 bits (2,048 counters stay in the L1 cache). */
const DIGIT_BITS = 11;
const DIGITS = 3;
const BUCKETS = 1 << DIGIT_BITS;

/**
 * Scratch arrays of the sort, reused across calls up to this many pixels (12 bytes each: 12 MB):
 * a fresh array costs its first-touch page faults on every call, which on a VM took longer than the
 * sort itself. Larger maps get their own arrays.
 */
const REUSED_SCRATCH_PIXELS = 1 << 20;
interface SortScratch {
  readonly keys: Uint32Array;
  readonly keys2: Uint32Array;
  readonly order2: Uint32Array;
}
let scratch: SortScratch | undefined;

function scratchFor(n: number): SortScratch {
  if (scratch && scratch.keys.length >= n) return scratch;
  const made = { keys: new Uint32Array(n), keys2: new Uint32Array(n), order2: new Uint32Array(n) };
  if (n <= REUSED_SCRATCH_PIXELS) scratch = made;
  return made;
}

/** One stable counting-sort pass on digit `d` (`counts` holds every digit's bucket starts). */
function radixPass(
  d: number,
  counts: Uint32Array,
  n: number,
  keys: Uint32Array,
  order: Uint32Array,
  toKeys: Uint32Array,
  toOrder: Uint32Array,
): void {
  const shift = d * DIGIT_BITS;
  const offset = d * BUCKETS;
  for (let i = 0; i < n; i++) {
    const key = keys[i]!;
    const slot = offset + ((key >>> shift) & (BUCKETS - 1));
    const at = counts[slot]!;
    counts[slot] = at + 1;
    toKeys[at] = key;
    toOrder[at] = order[i]!;
  }
}

/**
 * Pixel indices by descending score, ties by ascending row-major index (a stable order: the same
 * on every path and platform). An LSD radix sort over f32 keys (three 11-bit passes that move keys
 * and indices together, so every pass reads sequentially; stable, so equal scores keep their index
 * order): ~100x faster than Array.prototype.sort with a comparator at 224x224.
 */
export function descendingOrder(scores: ArrayLike<number>): Uint32Array {
  const n = scores.length;
  const { keys, keys2, order2 } = scratchFor(n);
  const value = new Float32Array(1);
  const bits = new Uint32Array(value.buffer);
  const counts = new Uint32Array(DIGITS * BUCKETS);
  // The result: the last of the odd number of passes writes into it.
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    value[0] = scores[i]! === 0 ? 0 : scores[i]!; // -0 and 0 tie
    const key = descendingKey(bits[0]!);
    keys2[i] = key;
    order2[i] = i;
    for (let d = 0; d < DIGITS; d++) {
      const slot = d * BUCKETS + ((key >>> (d * DIGIT_BITS)) & (BUCKETS - 1));
      counts[slot] = counts[slot]! + 1;
    }
  }
  // Exclusive prefix sums: counts[d][digit] = where the first key with that digit goes.
  for (let d = 0; d < DIGITS; d++) {
    let sum = 0;
    for (let b = d * BUCKETS; b < (d + 1) * BUCKETS; b++) {
      const count = counts[b]!;
      counts[b] = sum;
      sum += count;
    }
  }
  radixPass(0, counts, n, keys2, order2, keys, order);
  radixPass(1, counts, n, keys, order, keys2, order2);
  radixPass(2, counts, n, keys2, order2, keys, order);
  return order;
}

/** `ranks[p]` = position of pixel p in {@link descendingOrder} (0 = highest score). */
export function descendingRanks(scores: ArrayLike<number>): Uint32Array<ArrayBuffer> {
  return ranksOf(descendingOrder(scores));
}

/** The inverse permutation of `order`: `ranks[order[r]] = r`. */
export function ranksOf(order: Uint32Array): Uint32Array<ArrayBuffer> {
  const ranks = new Uint32Array(order.length);
  for (let r = 0; r < order.length; r++) ranks[order[r]!] = r;
  return ranks;
}
