// SPDX-License-Identifier: Apache-2.0

/**
 * Pixel indices by descending score, ties by ascending row-major index (a stable order: the same
 * on every path and platform).
 */
export function descendingOrder(scores: ArrayLike<number>): Uint32Array {
  const order = Uint32Array.from({ length: scores.length }, (_, i) => i);
  return order.sort((a, b) => scores[b]! - scores[a]! || a - b);
}

/** `ranks[p]` = position of pixel p in {@link descendingOrder} (0 = highest score). */
export function descendingRanks(scores: ArrayLike<number>): Uint32Array<ArrayBuffer> {
  const order = descendingOrder(scores);
  const ranks = new Uint32Array(order.length);
  for (let r = 0; r < order.length; r++) ranks[order[r]!] = r;
  return ranks;
}
