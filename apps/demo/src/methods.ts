// SPDX-License-Identifier: Apache-2.0
// Which methods the page runs, with options sized for the model's input (core's defaults are sized
// for 224x224 photos; 28x28 digits get smaller windows and fewer samples).
import type * as tf from '@tensorflow/tfjs';
import {
  ablationCam,
  anchors,
  blurIg,
  disposeResult,
  eigenCam,
  expectedGradients,
  explain,
  gradCam,
  gradCamPlusPlus,
  gradientXInput,
  guidedIg,
  hiResCam,
  integratedGradients,
  kernelShap,
  layerCam,
  lime,
  listMethods,
  occlusion,
  partitionShap,
  rise,
  saliency,
  scoreCam,
  smoothGrad,
  xGradCam,
  xrai,
  type ExplainOptions,
  type ModelInput,
} from '@webxai/core';
import type { ExplainFn } from '@webxai/ui';

/** Input size the options are chosen for. */
export interface Geometry {
  readonly height: number;
  readonly width: number;
}

/**
 * Per-method options for 28x28 digits; other methods keep their defaults. Sized so that the whole grid
 * explains a digit in seconds on a software GPU (SwiftShader): fewer points than packages/cli uses
 * (IG 64 steps, SmoothGrad 32 samples, occlusion stride 2). IG's Gauss-Legendre rule converges fast on
 * this small CNN; the grid shows its completeness delta so you can judge.
 */
export const DIGIT_OPTIONS: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {
  'integrated-gradients': { steps: 16 },
  smoothgrad: { samples: 16, seed: 1 },
  'expected-gradients': { samples: 32, seed: 1 },
  occlusion: { window: 7, stride: 3, baselineValue: 0 }, // 8 x 8 windows tile the 28 x 28 digit exactly
  rise: { masks: 1000, cellSize: 4, seed: 1 },
  lime: { samples: 500, seed: 1 },
  'kernel-shap': { samples: 500, seed: 1 },
};

/** Options for other sizes: occlusion with ~7 x 7 windows, fewer samples (each is a forward pass). */
function sizedOptions({ height, width }: Geometry): Record<string, Readonly<Record<string, unknown>>> {
  const side = Math.min(height, width);
  const window = Math.max(2, Math.round(side / 4));
  return {
    ...DIGIT_OPTIONS,
    occlusion: { window, stride: Math.max(1, Math.round(window / 2)), baselineValue: 0 },
    rise: { masks: 500, cellSize: Math.max(2, Math.round(side / 7)), seed: 1 },
    lime: { samples: 300, seed: 1 },
    'kernel-shap': { samples: 300, seed: 1 },
  };
}

/** The comparison grid: fast methods from each family (gradients, CAM, perturbation). */
export const GRID_METHODS: readonly { readonly method: string; readonly label: string }[] = [
  { method: 'saliency', label: 'Saliency' },
  { method: 'integrated-gradients', label: 'Integrated gradients' },
  { method: 'smoothgrad', label: 'SmoothGrad' },
  { method: 'grad-cam', label: 'Grad-CAM' },
  { method: 'score-cam', label: 'Score-CAM' },
  { method: 'occlusion', label: 'Occlusion' },
];

/** The grid for a model without gradients (ONNX): perturbation methods only. */
export const PREDICTION_GRID_METHODS: readonly { readonly method: string; readonly label: string }[] = [
  { method: 'occlusion', label: 'Occlusion' },
  { method: 'rise', label: 'RISE' },
  { method: 'lime', label: 'LIME' },
];

/** What each method needs from the model, read from core's own method definitions. */
const REQUIRES: Readonly<Record<string, 'gradients' | 'predictions'>> = Object.fromEntries(
  [
    saliency,
    gradientXInput,
    integratedGradients,
    smoothGrad,
    expectedGradients,
    blurIg,
    guidedIg,
    gradCam,
    gradCamPlusPlus,
    xGradCam,
    hiResCam,
    layerCam,
    eigenCam,
    scoreCam,
    ablationCam,
    occlusion,
    rise,
    lime,
    kernelShap,
    partitionShap,
    anchors,
    xrai,
  ].map((d) => [d.name, d.requires]),
);

/** CAM methods read a layer's activations, so they need a tfjs model to split even when they need no gradients. */
const CAM_METHODS: ReadonlySet<string> = new Set(
  [gradCam, gradCamPlusPlus, xGradCam, hiResCam, layerCam, eigenCam, scoreCam, ablationCam].map((d) => d.name),
);

/** Methods that run on a model: all of them, or (black boxes such as ONNX) those that only need predictions. */
export function methodsFor(differentiable: boolean): string[] {
  return listMethods().filter((m) => differentiable || (REQUIRES[m] === 'predictions' && !CAM_METHODS.has(m)));
}

/** Methods a black-box model cannot run: they need gradients or a layer's activations. */
export function tfjsOnlyMethods(): string[] {
  return listMethods().filter((m) => !methodsFor(false).includes(m));
}

let baselines: tf.Tensor4D | undefined;

/** Baseline images for expected gradients (the page passes the embedded digits; it owns the tensor). */
export function useBaselines(images: tf.Tensor4D | undefined): void {
  baselines = images;
}

/** Core's options for `method` on an input of `geometry` (the union type is checked by core at run time). */
export function methodOptions(method: string, geometry: Geometry, extra: Readonly<Record<string, unknown>> = {}): ExplainOptions {
  const sized = geometry.height === 28 && geometry.width === 28 ? DIGIT_OPTIONS : sizedOptions(geometry);
  const runtime = method === 'expected-gradients' && baselines ? { baselines } : {};
  return { ...sized[method], ...runtime, ...extra, method } as unknown as ExplainOptions;
}

/**
 * `<xai-explainer>`'s explain function: core's `explain` with options sized for the input, keeping only
 * the attribution (the element disposes it) and disposing the rest of the result (e.g. CAM's `map`).
 */
export const explainSized: ExplainFn = async (model: ModelInput, input: tf.Tensor, options) => {
  const [height, width] = input.shape.length === 4 ? input.shape.slice(1) : input.shape;
  const result = await explain(model, input, methodOptions(options.method, { height: height!, width: width! }, options));
  const { attribution, ...rest } = result;
  disposeResult(rest);
  return { ...rest, attribution };
};
