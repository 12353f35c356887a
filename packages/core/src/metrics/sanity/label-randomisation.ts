// SPDX-License-Identifier: Apache-2.0
import * as tf from '@tensorflow/tfjs';
import { InvalidOptionError, ShapeMismatchError } from '@webxai/shaders';
import { toInputBatch } from '../../api/input.js';
import { resolveTargets, type Target } from '../../api/targets.js';
import { adaptModel } from '../../model/adapt.js';
import type { ModelInput } from '../../model/types.js';
import { integerOption, numberOption } from '../../api/options.js';
import { UniformStream } from '../../perturbation/shared/random.js';
import { areProbabilities } from '../shared/curve.js';
import { checkOptionNames, type OptionNames } from '../../api/option-names.js';
import { mean } from '../shared/stats.js';
import { checkSanityOptions } from './cascading-randomisation.js';
import { compareMaps, explainAttribution, readPixelMaps, type ExplainSpec } from './compare-maps.js';
import { copyLayersModel, randomiseLayer, requireLayersModel, weightedLayersTopDown } from './copy.js';

/** Options of {@link labelRandomisation}. */
export interface LabelRandomisationOptions {
  readonly explain: ExplainSpec;
  /** Training data: images [m, h, w, c] and their integer class labels (which get permuted). */
  readonly data: { readonly x: tf.Tensor4D; readonly labels: readonly number[] };
  /** Training epochs on the permuted labels. Default 20. */
  readonly epochs?: number;
  /** Default 32. */
  readonly batchSize?: number;
  /** Adam's learning rate. Default 1e-3. */
  readonly learningRate?: number;
  readonly target?: Target;
  readonly absolute?: boolean;
  readonly threshold?: number;
  readonly seed?: number;
  readonly signal?: AbortSignal;
}

/** Result of {@link labelRandomisation}. */
export interface LabelRandomisationResult {
  readonly spearman: number[];
  readonly ssim: number[];
  readonly target: number[];
  /** Accuracy of the retrained copy on the permuted labels (how much it memorised). */
  readonly trainAccuracy: number;
  /** Mean Spearman correlation below `threshold`. */
  readonly passed: boolean;
}

const NAME = 'labelRandomisation';

const OPTION_NAMES: OptionNames<LabelRandomisationOptions> = {
  explain: true,
  data: true,
  epochs: true,
  batchSize: true,
  learningRate: true,
  target: true,
  absolute: true,
  threshold: true,
  seed: true,
  signal: true,
};

/** A seeded permutation of the labels (Fisher-Yates on the uniform stream). */
function permuted(labels: readonly number[], seed: number): number[] {
  const out = [...labels];
  const stream = new UniformStream(seed);
  for (let i = out.length - 1; i > 0; i--) {
    const j = stream.int(i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/**
 * Adebayo et al. 2018, "Sanity Checks for Saliency Maps" (NeurIPS), data (label) randomisation: a copy
 * of the model is re-initialised and trained on `data` with its labels randomly permuted (seeded), so
 * it can only memorise; the explanation of that model is compared with the original's (Spearman and
 * SSIM per image). The user's model is never modified. Needs a tf.LayersModel.
 */
export async function labelRandomisation(
  model: ModelInput,
  input: tf.Tensor,
  options: LabelRandomisationOptions,
): Promise<LabelRandomisationResult> {
  const layers = requireLayersModel(NAME, model);
  checkSanityOptions(NAME, options);
  checkOptionNames(NAME, options, OPTION_NAMES);
  const { x, labels } = options.data ?? ({} as never);
  if (!(x instanceof tf.Tensor) || x.rank !== 4 || !Array.isArray(labels) || labels.length !== x.shape[0]) {
    throw new ShapeMismatchError(`${NAME}: data must be { x: [m, h, w, c] tensor, labels: m class indices }`);
  }
  const epochs = integerOption(NAME, 'epochs', options.epochs, 20, 1);
  const batchSize = integerOption(NAME, 'batchSize', options.batchSize, 32, 1);
  const learningRate = numberOption(NAME, 'learningRate', options.learningRate, 1e-3, 0, Infinity, true);
  const batch = await toInputBatch(input, adaptModel(layers));
  const { model: copy, values: saved } = await copyLayersModel(layers);
  let oneHot: tf.Tensor | undefined;
  let optimizer: tf.Optimizer | undefined;
  const attributions: tf.Tensor4D[] = [];
  let copyScores: tf.Tensor | undefined;
  try {
    const scores = layers.predict(batch) as tf.Tensor2D;
    const probabilities = areProbabilities((await scores.data()) as Float32Array, scores.shape[1]);
    const classes = scores.shape[1];
    const target = await resolveTargets(options.target, scores).finally(() => scores.dispose());
    if (labels.some((l) => !Number.isInteger(l) || l < 0 || l >= classes))
      throw new InvalidOptionError(`${NAME}: labels must be class indices in [0, ${classes - 1}]`);
    // Read back with the trained copy's map, after training.
    attributions.push((await explainAttribution(NAME, options.explain, layers, batch, target, false)).attribution);
    const seed = options.seed ?? 0;
    for (const [index, layer] of weightedLayersTopDown(copy).entries()) await randomiseLayer(layer, seed + index, saved);
    oneHot = tf.tidy(() => tf.oneHot(tf.tensor1d(permuted(labels, seed), 'int32'), classes));
    const loss = probabilities
      ? 'categoricalCrossentropy'
      : (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.losses.softmaxCrossEntropy(yTrue, yPred);
    optimizer = tf.train.adam(learningRate);
    copy.compile({ optimizer, loss, metrics: ['accuracy'] });
    // shuffle: false keeps training reproducible (tfjs shuffles with Math.random).
    const history = await copy.fit(x, oneHot, { epochs, batchSize, shuffle: false, verbose: 0 });
    const accuracies = (history.history.acc ?? history.history.accuracy ?? []) as number[];
    // The trained copy's scores at the input come back unchecked, to be read with the maps.
    const trained = await explainAttribution(NAME, options.explain, copy, batch, target, true);
    attributions.push(trained.attribution);
    copyScores = trained.scores;
    const sources = ['the model', 'the copy trained on permuted labels'];
    const [original, maps] = await readPixelMaps(NAME, attributions, sources, [undefined, copyScores]);
    const compared = compareMaps(original!, maps!, options.absolute ?? true);
    return {
      ...compared,
      target,
      trainAccuracy: accuracies.at(-1) ?? Number.NaN,
      passed: mean(compared.spearman) < (options.threshold ?? 0.5),
    };
  } finally {
    tf.dispose(attributions);
    copyScores?.dispose();
    oneHot?.dispose();
    optimizer?.dispose();
    copy.dispose();
    batch.dispose();
  }
}
