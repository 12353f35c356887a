// SPDX-License-Identifier: Apache-2.0
import { KTH_KEY_MAX } from './kth-key.kernel.js';

/**
 * CPU reference for kth-key.wgsl (and the cpu backend's path in core): per row of `rowLength`
 * keys, the `rank`-th smallest (1 = the smallest), by a counting pass over the KTH_KEY_MAX + 1
 * integer keys; +Inf when fewer than `rank` keys are finite. Values that are not keys in
 * [0, KTH_KEY_MAX] (+Inf, NaN, negatives, larger values) count as +Inf, as on the GPU.
 *
 * @example kthKeyRef([3, 1, 1, Infinity], 1, 4, 3) // Float32Array [3]
 */
export function kthKeyRef(keys: ArrayLike<number>, rows: number, rowLength: number, rank: number): Float32Array<ArrayBuffer> {
  const out = new Float32Array(rows);
  const counts = new Uint32Array(KTH_KEY_MAX + 1);
  for (let r = 0; r < rows; r++) {
    counts.fill(0);
    for (let i = r * rowLength; i < (r + 1) * rowLength; i++) {
      const v = keys[i]!;
      if (v >= 0 && v <= KTH_KEY_MAX) counts[Math.trunc(v)]!++;
    }
    out[r] = Number.POSITIVE_INFINITY;
    for (let key = 0, seen = 0; key <= KTH_KEY_MAX; key++) {
      seen += counts[key]!;
      if (seen >= rank) {
        out[r] = key;
        break;
      }
    }
  }
  return out;
}
