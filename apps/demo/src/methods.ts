// SPDX-License-Identifier: Apache-2.0
// Which methods the page runs, with options sized for 28x28 digits (defaults are sized for 224x224 photos).
import type * as tf from '@tensorflow/tfjs';
import { disposeResult, explain, type ExplainOptions, type ModelInput } from '@webxai/core';
import type { ExplainFn } from '@webxai/ui';

/**
 * Per-method options for digits; other methods keep their defaults. Sized so that the whole grid
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

/** The comparison grid: fast methods from each family (gradients, CAM, perturbation). */
export const GRID_METHODS: readonly { readonly method: string; readonly label: string }[] = [
  { method: 'saliency', label: 'Saliency' },
  { method: 'integrated-gradients', label: 'Integrated gradients' },
  { method: 'smoothgrad', label: 'SmoothGrad' },
  { method: 'grad-cam', label: 'Grad-CAM' },
  { method: 'score-cam', label: 'Score-CAM' },
  { method: 'occlusion', label: 'Occlusion' },
];

let baselines: tf.Tensor4D | undefined;

/** Baseline images for expected gradients (the page passes the embedded digits; it owns the tensor). */
export function useBaselines(images: tf.Tensor4D): void {
  baselines = images;
}

/** Core's options for `method` on a digit (the union type is checked by core at run time). */
export function digitOptions(method: string, extra: Readonly<Record<string, unknown>> = {}): ExplainOptions {
  const runtime = method === 'expected-gradients' && baselines ? { baselines } : {};
  return { ...DIGIT_OPTIONS[method], ...runtime, ...extra, method } as unknown as ExplainOptions;
}

/**
 * `<xai-explainer>`'s explain function: core's `explain` with the digit options, keeping only the
 * attribution (the element disposes it) and disposing the rest of the result (e.g. CAM's `map`).
 */
export const explainDigit: ExplainFn = async (model: ModelInput, input: tf.Tensor, options) => {
  const result = await explain(model, input, digitOptions(options.method, options));
  const { attribution, ...rest } = result;
  disposeResult(rest);
  return { ...rest, attribution };
};
