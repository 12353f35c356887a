// SPDX-License-Identifier: Apache-2.0
import * as tf from '@tensorflow/tfjs';
import { InvalidOptionError, throwIfAborted } from '@webxai/shaders';
import { toUncheckedBatch } from '../../api/input.js';
import { InputCheck } from '../../api/input-check.js';
import type { Target } from '../../api/targets.js';
import { classesAhead, type ClassesAhead, type ClassSeeds } from '../../gradient/target-gradients.js';
import { definitionOf } from '../../api/explain.js';
import { adaptModel } from '../../model/adapt.js';
import type { ModelInput } from '../../model/types.js';
import { numberOption, seedOption } from '../../api/options.js';
import { checkOptionNames, type OptionNames } from '../../api/option-names.js';
import { mean } from '../shared/stats.js';
import { compareMaps, explainAttribution, readPixelMaps, type ExplainSpec } from './compare-maps.js';
import { copyLayersModel, randomiseLayer, requireLayersModel, weightedLayersTopDown } from './copy.js';

/** Options of {@link cascadingRandomisation}. */
export interface CascadingRandomisationOptions {
  /** The explanation to check: explain options ({ method: 'saliency', ... }) or a function. */
  readonly explain: ExplainSpec;
  /** Class per image (default: the original model's prediction, kept for every randomised model). */
  readonly target?: Target;
  /** Compare absolute maps (Adebayo et al.'s main figures). Default true. */
  readonly absolute?: boolean;
  /** The check passes when the fully randomised model's mean Spearman correlation is below this. Default 0.5. */
  readonly threshold?: number;
  readonly seed?: number;
  readonly signal?: AbortSignal;
}

/** One step of the cascade: every layer from the top down to `layer` has random weights. */
export interface RandomisationStep {
  readonly layer: string;
  /** Spearman rank correlation with the original map, per image. */
  readonly spearman: number[];
  /** SSIM with the original map (both scaled to [0, 1]), per image. */
  readonly ssim: number[];
}

/** Result of a randomisation sanity check. */
export interface CascadingRandomisationResult {
  readonly steps: RandomisationStep[];
  readonly target: number[];
  /** Mean Spearman correlation of the fully randomised model is below `threshold`: the map depends on the weights. */
  readonly passed: boolean;
}

const NAME = 'cascadingRandomisation';

const OPTION_NAMES: OptionNames<CascadingRandomisationOptions> = {
  explain: true,
  target: true,
  absolute: true,
  threshold: true,
  seed: true,
  signal: true,
};

/**
 * Adebayo et al. 2018, "Sanity Checks for Saliency Maps" (NeurIPS), cascading model parameter
 * randomisation: on a copy of the model (the user's weights are never touched), the layers with
 * weights are re-drawn one by one from the output layer down to the input, cumulatively; after each
 * step the explanation is recomputed (same target) and compared with the original map by Spearman
 * rank correlation and SSIM. A map that stays similar does not explain the model.
 *
 * @example
 * const r = await cascadingRandomisation(model, image, { explain: { method: 'saliency' } });
 * r.steps.map((s) => [s.layer, s.spearman[0]]); // [['logits', 0.4], ['conv2', 0.1], ['conv1', 0.05]]
 * r.passed; // true
 */
export async function cascadingRandomisation(
  model: ModelInput,
  input: tf.Tensor,
  options: CascadingRandomisationOptions,
): Promise<CascadingRandomisationResult> {
  const layers = requireLayersModel(NAME, model);
  checkSanityOptions(NAME, options);
  checkOptionNames(NAME, options, OPTION_NAMES);
  const adapter = adaptModel(layers);
  const batch = toUncheckedBatch(input, adapter);
  const inputCheck = new InputCheck(batch);
  // Every step's attribution stays on the device until the last: their maps come back in one readback,
  // with each re-drawn copy's scores at the input (explainAttribution leaves them unchecked).
  const attributions: tf.Tensor4D[] = [];
  const copyScores: tf.Tensor[] = [];
  let copy: tf.LayersModel | undefined;
  try {
    // The input's check, the target and the scores' check come back in one readback, which travels
    // while the original map is recorded (originalMap); the copy is made after, so its host work
    // overlaps that GPU work.
    const ahead = classesAhead(adapter, batch, options.target, inputCheck);
    let target: number[];
    try {
      attributions.push(await originalMap(options.explain, layers, batch, ahead));
      target = await ahead.classes;
    } finally {
      await ahead.release();
    }
    const { model: copied, values: saved } = await copyLayersModel(layers);
    copy = copied;
    const seed = options.seed ?? 0;
    const cascade = weightedLayersTopDown(copy);
    // Nothing waits for the GPU until the maps are read: each step's host re-draw overlaps the
    // explanations queued before it.
    for (const [index, layer] of cascade.entries()) {
      throwIfAborted(options.signal, NAME);
      await randomiseLayer(layer, seed + index, saved);
      const { attribution, scores } = await explainAttribution(NAME, options.explain, copy, batch, target, true);
      attributions.push(attribution);
      copyScores.push(scores!);
    }
    const sources = ['the model', ...cascade.map((l) => `the copy re-drawn down to layer '${l.name}'`)];
    const [original, ...randomised] = await readPixelMaps(NAME, attributions, sources, [undefined, ...copyScores]);
    const absolute = options.absolute ?? true;
    const steps: RandomisationStep[] = cascade.map((layer, i) => ({
      layer: layer.name,
      ...compareMaps(original!, randomised[i]!, absolute),
    }));
    const last = steps.at(-1);
    return { steps, target, passed: last !== undefined && mean(last.spearman) < (options.threshold ?? 0.5) };
  } finally {
    tf.dispose([...attributions, ...copyScores]);
    copy?.dispose();
    inputCheck.dispose();
    batch.dispose();
  }
}

/**
 * The original model's map, recorded before `ahead`'s classes are read when explain options can be
 * seeded with what is at hand (given classes, or device rows for a method that takes them); an
 * explain function, which is handed checked numbers, waits for them. An error of the early recording
 * gives way to the classes' own (the input's check first, as when the classes were read first).
 */
async function originalMap(spec: ExplainSpec, model: tf.LayersModel, batch: tf.Tensor4D, ahead: ClassesAhead): Promise<tf.Tensor4D> {
  try {
    let early: ClassSeeds | undefined;
    if (typeof spec !== 'function') {
      const seeds = ahead.seeds();
      if (!(seeds instanceof tf.Tensor) || definitionOf(spec.method).takesClassRows) early = seeds;
    }
    return (await explainAttribution(NAME, spec, model, batch, early ?? (await ahead.classes), false)).attribution;
  } catch (error) {
    await ahead.classes;
    throw error;
  }
}

/** Checks the options the sanity checks share. */
export function checkSanityOptions(
  what: string,
  options: { explain?: unknown; absolute?: unknown; threshold?: number; seed?: number },
): void {
  if (typeof options !== 'object' || options === null) throw new InvalidOptionError(`${what}: options must be an object with explain`);
  const e = options.explain;
  if (typeof e !== 'function' && (typeof e !== 'object' || e === null || typeof (e as { method?: unknown }).method !== 'string')) {
    throw new InvalidOptionError(
      `${what}: explain must be explain options ({ method: 'saliency' }) or a function (model, input, target) => attribution`,
    );
  }
  if (options.absolute !== undefined && typeof options.absolute !== 'boolean')
    throw new InvalidOptionError(`${what}: absolute must be a boolean`);
  numberOption(what, 'threshold', options.threshold, 0.5, -1, 1);
  seedOption(what, options.seed);
}
