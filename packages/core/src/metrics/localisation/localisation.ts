// SPDX-License-Identifier: Apache-2.0
import { numberOption } from '../../api/options.js';
import { descendingOrder } from '../shared/order.js';
import type { OptionNames } from '../../api/option-names.js';
import type { MetricDefinition, MetricInputs, MetricOptionsFor, MetricRegistry } from '../types.js';
import { readMasks, type GroundTruthMask } from './mask.js';

/** Options of the localisation metrics. */
export interface LocalisationOptions {
  /** Ground truth: [h, w] (every image) or [n, h, w]; values > 0 mark the object. Required. */
  readonly mask: GroundTruthMask;
}

/** Options of `'pointing-game'`. */
export interface PointingGameOptions extends LocalisationOptions {
  /** A hit may miss the mask by up to this many pixels (Euclidean). Default 0 (Zhang et al. use 15 at 224). */
  readonly tolerance?: number;
}

declare module '../types.js' {
  interface MetricRegistry {
    'pointing-game': PointingGameOptions;
    'relevance-mass': LocalisationOptions;
    'relevance-rank': LocalisationOptions;
  }
}

/** Index of the first maximal value in row-major order. */
function firstMax(map: Float32Array): number {
  let best = 0;
  for (let p = 1; p < map.length; p++) if (map[p]! > map[best]!) best = p;
  return best;
}

/** True when a mask pixel lies within `radius` pixels (Euclidean) of pixel p. */
function nearMask(mask: Uint8Array, p: number, width: number, radius: number): boolean {
  const height = mask.length / width;
  const [py, px] = [Math.floor(p / width), p % width];
  const r = Math.floor(radius);
  for (let y = Math.max(0, py - r); y <= Math.min(height - 1, py + r); y++)
    for (let x = Math.max(0, px - r); x <= Math.min(width - 1, px + r); x++)
      if (mask[y * width + x] && (y - py) ** 2 + (x - px) ** 2 <= radius * radius) return true;
  return false;
}

/** The pointing game's score per image: 1 for a hit, 0 for a miss. */
export function pointingGameScores(
  maps: readonly Float32Array[],
  masks: readonly Uint8Array[],
  width: number,
  tolerance: number,
): number[] {
  return maps.map((map, i) => (nearMask(masks[i]!, firstMax(map), width, tolerance) ? 1 : 0));
}

/** Positive relevance inside the mask / total positive relevance (0 when nothing is positive). */
export function relevanceMassScores(maps: readonly Float32Array[], masks: readonly Uint8Array[]): number[] {
  return maps.map((map, i) => {
    let inside = 0;
    let total = 0;
    for (let p = 0; p < map.length; p++) {
      const v = Math.max(0, map[p]!);
      total += v;
      if (masks[i]![p]) inside += v;
    }
    return total > 0 ? inside / total : 0;
  });
}

/** Of the K = |mask| most relevant pixels (stable order), the fraction inside the mask. */
export function relevanceRankScores(maps: readonly Float32Array[], masks: readonly Uint8Array[]): number[] {
  return maps.map((map, i) => {
    const mask = masks[i]!;
    const k = mask.reduce((s, v) => s + v, 0);
    const order = descendingOrder(map);
    let hits = 0;
    for (let r = 0; r < k; r++) hits += mask[order[r]!]!;
    return hits / k;
  });
}

type LocalisationName = 'pointing-game' | 'relevance-mass' | 'relevance-rank';

function defineLocalisation<M extends LocalisationName>(
  name: M,
  optionNames: OptionNames<MetricRegistry[M]>,
  score: (inputs: MetricInputs, masks: Uint8Array[], options: MetricOptionsFor<M>) => number[],
  check: (options: MetricOptionsFor<M>) => void = () => {},
): MetricDefinition<M> {
  return {
    name,
    optionNames,
    check,
    async run(inputs, options) {
      const masks = await readMasks(name, options.mask, inputs.maps.length, inputs.height, inputs.width);
      return { scores: score(inputs, masks, options) };
    },
  };
}

/**
 * `'pointing-game'` (Zhang et al. 2018, "Top-down Neural Attention by Excitation Backprop", IJCV):
 * a hit (1) when the first maximal pixel of the map in row-major order lies in the ground-truth mask
 * or within `tolerance` pixels of it, else a miss (0). Uses only the map, not the model.
 *
 * @example
 * const r = await evaluate(model, image, gradCam, { metric: 'pointing-game', mask });
 * r.scores; // [1]
 */
export const pointingGame = defineLocalisation(
  'pointing-game',
  { mask: true, tolerance: true },
  (inputs, masks, o) => pointingGameScores(inputs.maps, masks, inputs.width, o.tolerance ?? 0),
  (o) => void numberOption('pointing-game', 'tolerance', o.tolerance, 0, 0),
);

/**
 * `'relevance-mass'` (Arras et al. 2022, "CLEVR-XAI: A benchmark dataset for the ground truth
 * evaluation of neural network explanations", Information Fusion): the sum of positive relevance
 * inside the mask divided by the total positive relevance, in [0, 1] (0 for a map with no positive
 * value).
 */
export const relevanceMass = defineLocalisation('relevance-mass', { mask: true }, (inputs, masks) =>
  relevanceMassScores(inputs.maps, masks),
);

/**
 * `'relevance-rank'` (Arras et al. 2022): with K the number of mask pixels, the fraction of the K
 * most relevant pixels (descending, ties by row-major index) that lie inside the mask, in [0, 1].
 */
export const relevanceRank = defineLocalisation('relevance-rank', { mask: true }, (inputs, masks) =>
  relevanceRankScores(inputs.maps, masks),
);
