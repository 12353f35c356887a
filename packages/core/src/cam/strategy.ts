// SPDX-License-Identifier: Apache-2.0
// What a CAM method's weights get from the pipeline (one layer's pass) and how a method plugs in.
import type * as tf from '@tensorflow/tfjs';
import type { CallContext } from '../api/types.js';
import type { ModelSplit, SplitContext } from '../model/split/types.js';
import type { ModelAdapter } from '../model/types.js';
import type { CamWeights } from './gradient-weights.js';

/** One layer's pass, handed to a method's weights function. */
export interface LayerPass {
  readonly split: ModelSplit;
  /** The batch fed to the model (augmented copies included). */
  readonly input: tf.Tensor4D;
  readonly activation: tf.Tensor4D;
  /**
   * d score[target] / d activation (gradient methods): the activation's shape, or `[n, 1, 1, k]`
   * when it is the same at every position (a linear GAP + Dense tail's closed form, un-broadcast).
   */
  readonly gradient: tf.Tensor4D | undefined;
  /** What the tail needs besides the activation (non-gradient methods). */
  readonly context: SplitContext;
  /**
   * The model's scores; undefined only for a gradient CAM's closed-form pass with given targets
   * (pooledDenseEvidence), which nothing after it reads.
   */
  readonly scores: tf.Tensor2D | undefined;
  /**
   * One target class per row of `input`; undefined only for a gradient CAM explaining the predicted
   * class, whose pass chose the classes on the GPU (they are read back with the map peaks).
   */
  readonly targets: readonly number[] | undefined;
  /**
   * Each row's predicted class (int32, on the GPU) when `targets` is undefined: the pass picked them
   * and the map peaks' readback brings them to the host. Only for gradient CAMs and strategies that
   * set `takesDeviceClasses`.
   */
  readonly predicted?: tf.Tensor1D;
  readonly call: CallContext;
  readonly model: ModelAdapter;
  readonly batchSize: number;
}

/**
 * The targets of a pass whose weights need them (Score-CAM, Ablation-CAM): always resolved before
 * their weights run; only gradient CAMs leave them to the map peaks' readback.
 */
export function resolvedTargets(pass: LayerPass): readonly number[] {
  if (!pass.targets) throw new Error('CAM pipeline: the weights need the targets but the pass left them on the GPU');
  return pass.targets;
}

/** The scores of a pass whose weights (Ablation-CAM) or predicted classes need them: every pass but a closed-form one with given targets has them. */
export function passScores(pass: Pick<LayerPass, 'scores'>): tf.Tensor2D {
  if (!pass.scores) throw new Error('CAM pipeline: the weights need the scores but the pass did not compute them');
  return pass.scores;
}

/** How one CAM method weighs the activation. */
export interface CamStrategy {
  readonly gradients: boolean;
  /** Weights for `cam-map`, or undefined to use the activation's first principal component (Eigen-CAM). */
  weights(pass: LayerPass): Promise<CamWeights | undefined>;
  /** Default channel batch (perturbation CAMs). */
  readonly defaultBatchSize?: number;
  /** The weights need the layer's split and its context (Ablation-CAM runs the tail): one pass per layer. */
  readonly needsSplit?: boolean;
  /**
   * Whether a non-gradient method's weights take the predicted classes as a GPU tensor
   * (LayerPass.predicted) or need none (Eigen-CAM), so that they need not be read back before the
   * weights.
   */
  readonly takesDeviceClasses?: boolean;
}
