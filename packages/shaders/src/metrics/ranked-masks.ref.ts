// SPDX-License-Identifier: Apache-2.0

/** Which curve: deletion hides the top-ranked pixels, insertion reveals them. */
export type RankedMode = 'deletion' | 'insertion';

/** Pixels changed at step k of a curve of `steps` steps over `pixels` pixels: floor(k * pixels / steps). */
export function changedPixels(k: number, pixels: number, steps: number): number {
  return Math.floor((k * pixels) / steps);
}

/**
 * CPU reference for ranked-masks.wgsl and the explicit CPU path: `count` keep-masks [count, pixels]
 * for steps firstStep.. of a `steps`-step curve. `ranks[p]` is pixel p's position in the order
 * (0 = first changed).
 */
export function rankedMasksRef(
  mode: RankedMode,
  ranks: ArrayLike<number>,
  steps: number,
  firstStep: number,
  count: number,
  out?: Float32Array,
): Float32Array {
  const pixels = ranks.length;
  const masks = out ?? new Float32Array(count * pixels);
  const [changedValue, keptValue] = mode === 'deletion' ? [0, 1] : [1, 0];
  for (let b = 0; b < count; b++) {
    const removed = changedPixels(firstStep + b, pixels, steps);
    for (let p = 0; p < pixels; p++) masks[b * pixels + p] = ranks[p]! < removed ? changedValue : keptValue;
  }
  return masks;
}
