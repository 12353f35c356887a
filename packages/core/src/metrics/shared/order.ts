// SPDX-License-Identifier: Apache-2.0

/** An unsigned key whose ascending order is the descending order of the f32 value `v` (-0 counts as 0). */
function descendingKey(bits: number): number {
  // IEEE-754 total order: flip every bit of negatives, the sign bit of positives; then invert for descending.
  const ascending = bits & 0x80000000 ? ~bits >>> 0 : (bits | 0x80000000) >>> 0;
  return ~ascending >>> 0;
}

/**
 * Pixel indices by descending score, ties by ascending row-major index (a stable order: the same
 * on every path and platform). An LSD radix sort over f32 keys (two 16-bit passes; stable, so equal
 * scores keep their index order): ~100x faster than Array.prototype.sort with a comparator at 224x224.
 */
export function descendingOrder(scores: ArrayLike<number>): Uint32Array {
  const n = scores.length;
  const f32 = new Float32Array(n);
  for (let i = 0; i < n; i++) f32[i] = scores[i]! === 0 ? 0 : scores[i]!; // -0 and 0 tie
  const bits = new Uint32Array(f32.buffer);
  const keys = new Uint32Array(n);
  for (let i = 0; i < n; i++) keys[i] = descendingKey(bits[i]!);
  let order = Uint32Array.from({ length: n }, (_, i) => i);
  let next = new Uint32Array(n);
  for (const shift of [0, 16]) {
    const counts = new Uint32Array(65537);
    for (let i = 0; i < n; i++) {
      const digit = ((keys[order[i]!]! >>> shift) & 0xffff) + 1;
      counts[digit] = counts[digit]! + 1;
    }
    for (let d = 0; d < 65536; d++) counts[d + 1] = counts[d + 1]! + counts[d]!;
    for (let i = 0; i < n; i++) {
      const p = order[i]!;
      const digit = (keys[p]! >>> shift) & 0xffff;
      next[counts[digit]!] = p;
      counts[digit] = counts[digit]! + 1;
    }
    [order, next] = [next, order];
  }
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
