// SPDX-License-Identifier: Apache-2.0
import type * as tf from '@tensorflow/tfjs';
import type { ExplainResultBase } from '../api/types.js';
import type { LayerSpec } from '../model/split/list-layers.js';
import type { LayerInfo } from '../model/split/types.js';
import type { OptionNames } from '../api/option-names.js';

/** The CAM methods, named as in jacobgil/pytorch-grad-cam. */
export type CamMethodName =
  'grad-cam' | 'grad-cam++' | 'xgrad-cam' | 'hires-cam' | 'layer-cam' | 'score-cam' | 'ablation-cam' | 'eigen-cam';

/** How Eigen-CAM fixes the arbitrary sign of its principal component (see CamOptions.signConvention). */
export type EigenSignConvention = 'channel-sum' | 'max-abs' | 'negative-channel-sum';

/** Every {@link EigenSignConvention}, for option checks. */
export const EIGEN_SIGN_CONVENTIONS: readonly EigenSignConvention[] = ['channel-sum', 'max-abs', 'negative-channel-sum'];

/** Options every CAM method takes (defaults as pytorch-grad-cam). */
export interface CamOptions {
  /**
   * The layer (LayersModel) or node (GraphModel) to explain from: a name (see `listLayers`), an
   * array of names (each layer's map is normalised and upsampled, then the maps are averaged and
   * normalised again, as pytorch-grad-cam does with several target layers), or 'auto' (default):
   * the last layer whose output is 4-D with spatial size > 1. Several layers of a LayersModel come
   * from one forward (+ backward) pass, each `map` equal to its single-layer run.
   */
  readonly layer?: LayerSpec;
  /**
   * Replace the weighted channel sum by the first principal component of the weighted
   * activations (pytorch-grad-cam `eigen_smooth`, default false).
   */
  readonly eigenSmooth?: boolean;
  /**
   * Sign of the principal component (Eigen-CAM and eigenSmooth), which an SVD leaves arbitrary:
   * pytorch-grad-cam takes whatever numpy's LAPACK returns, and the ReLU that follows keeps one
   * side of the image, so a flipped sign shows the complement. 'channel-sum' (default): the
   * projection correlates positively with the centred channel sum. 'max-abs': the projection's
   * largest-|value| position is positive (scikit-learn's `svd_flip`). 'negative-channel-sum': the
   * opposite of the default, to match a reference run whose LAPACK sign came out the other way.
   */
  readonly signConvention?: EigenSignConvention;
  /**
   * Test-time augmentation (pytorch-grad-cam `aug_smooth`, default false): horizontal flip x
   * intensity scale {0.9, 1, 1.1}, six passes averaged after undoing the flip. Every copy explains
   * its image's class: the given one, or the unchanged image's predicted class.
   */
  readonly augSmooth?: boolean;
  /**
   * Apply the ReLU to the weighted channel sum (default true, as Grad-CAM and pytorch-grad-cam:
   * only evidence FOR the target is kept). When that leaves an image's map all zero, the result's
   * `warnings` say so and why. false: keep the signed map: `map` is the raw weighted sum and
   * `attribution` that map upsampled and divided by its largest |value| per image (in [-1, 1];
   * negative = evidence against the target). One layer and channel/elementwise weights only (not
   * Eigen-CAM or eigenSmooth).
   */
  readonly relu?: boolean;
}

/** Option names of every CAM method (checked against CamOptions by the compiler; other names are rejected). */
export const CAM_OPTION_NAMES: OptionNames<CamOptions> = {
  layer: true,
  eigenSmooth: true,
  augSmooth: true,
  signConvention: true,
  relu: true,
};

/** Options of the perturbation CAMs: channel batches. */
export interface BatchedCamOptions extends CamOptions {
  /**
   * Masked images (Score-CAM, default 16) or ablated activations (Ablation-CAM, default 32) per
   * model call, as pytorch-grad-cam's defaults.
   */
  readonly batchSize?: number;
}

/** Option names of score-cam and ablation-cam (checked against BatchedCamOptions by the compiler; other names are rejected). */
export const BATCHED_CAM_OPTION_NAMES: OptionNames<BatchedCamOptions> = {
  batchSize: true,
  layer: true,
  eigenSmooth: true,
  augSmooth: true,
  signConvention: true,
  relu: true,
};

/** Result of every CAM method. */
export interface CamResult extends ExplainResultBase {
  /** [n, height, width] at the input's resolution, in [0, 1] per image; caller disposes. */
  readonly attribution: tf.Tensor3D;
  /**
   * The raw map at the layer's resolution `[n, h, w]`: the ReLU'd (signed with `relu: false`) weighted channel sum (or
   * principal component), before upsampling and normalisation; one per layer (an array) when
   * `layer` was an array. Caller disposes.
   */
  readonly map: tf.Tensor3D | tf.Tensor3D[];
  /** The layer (or GraphModel node) used; an array when `layer` was an array. */
  readonly layer: string | string[];
  /** Details of the layer(s) used, in the same order. */
  readonly layers: LayerInfo[];
  /**
   * Present when something about the picture needs saying: e.g. an image whose map is all zero
   * after the ReLU (the weighted sum is <= 0 everywhere), with the signed map's range and how to
   * see it (`relu: false`).
   */
  readonly warnings?: readonly string[];
}

declare module '../api/types.js' {
  interface MethodRegistry {
    'grad-cam': { options: CamOptions; result: CamResult };
    'grad-cam++': { options: CamOptions; result: CamResult };
    'xgrad-cam': { options: CamOptions; result: CamResult };
    'hires-cam': { options: CamOptions; result: CamResult };
    'layer-cam': { options: CamOptions; result: CamResult };
    'score-cam': { options: BatchedCamOptions; result: CamResult };
    'ablation-cam': { options: BatchedCamOptions; result: CamResult };
    'eigen-cam': { options: CamOptions; result: CamResult };
  }
}
