// SPDX-License-Identifier: Apache-2.0
// The suite's cases, by family: what webxai is asked and the naive loop that computes the same
// (the agreement tests check each loop against webxai with these settings or smaller ones).
import type * as tfNamespace from '@tensorflow/tfjs';
import type { WebGpuTfjs } from '../shared.js';
import { naiveAblationCam, naiveGradCam, naiveScoreCam } from './cam-loops.js';
import { naiveEigenCam, naiveGradCamPlusPlus, naiveHiResCam, naiveLayerCam, naiveXGradCam } from './cam-variants.js';
import { gridSegments } from './grid-segments.js';
import { naiveGuidedIg } from './guided-ig-loop.js';
import { naiveDeconvnet, naiveGuidedBackprop, naiveGuidedGradCam } from './guided-relu-loops.js';
import { naiveLime } from './lime-loop.js';
import { naiveDeletion, naiveInsertion, naiveIntegratedGradients, naiveOcclusion, naiveRise, naiveSmoothGrad } from './loops.js';
import { naiveBlurIg, naiveExpectedGradients, randomDraws } from './path-loops.js';
import { naiveGradientXInput, naiveSaliency } from './plain-gradient-loops.js';
import { naivePartitionShap } from './partition-shap-loop.js';
import { naiveKernelShap } from './shap-loop.js';

export type Work = () => Promise<unknown>;

/** One case: webxai's call and the naive loop's, timed alternately. */
export interface Pair {
  readonly name: string;
  readonly webxai: Work;
  readonly naive: Work;
}

/** What the cases share: the model, its input and target, and webxai's explainer for given options. */
export interface PairContext {
  readonly tf: WebGpuTfjs['tf'];
  readonly core: WebGpuTfjs['core'];
  readonly model: tfNamespace.LayersModel;
  readonly image: tfNamespace.Tensor4D;
  readonly target: number;
  readonly quick: boolean;
  /** A webxai explainer for `options` (disposed with the suite): one explanation per call. */
  readonly explainWith: (options: Record<string, unknown>) => Work;
}

/** Perturbation methods and the deletion / insertion metrics (`saliency`: the attribution deletion removes, `map` its values). */
export function perturbationPairs(c: PairContext, saliency: tfNamespace.Tensor, map: Float32Array): Pair[] {
  const { tf, core, model, image, target, quick, explainWith } = c;
  const stride = quick ? 4 : 2;
  const windows = ((28 - 4) / stride + 1) ** 2;
  const masks = quick ? 50 : 200;
  const steps = quick ? 14 : 50;
  const limeSamples = quick ? 50 : 300;
  const shapSamples = quick ? 60 : 300;
  const partitionEvals = quick ? 100 : 300;
  const cells = gridSegments(28, 28, 4);
  return [
    {
      name: `occlusion 4x4 stride ${stride} (${windows} windows)`,
      webxai: explainWith({ method: 'occlusion', window: 4, stride }),
      naive: () => naiveOcclusion(tf, model, image, target, 4, stride),
    },
    {
      name: `rise ${masks} masks`,
      webxai: explainWith({ method: 'rise', masks, seed: 1 }),
      naive: () => naiveRise(tf, model, image, target, masks),
    },
    {
      name: `deletion ${steps} steps`,
      webxai: () => core.evaluate(model, image, saliency, { metric: 'deletion', target, steps }),
      naive: () => naiveDeletion(tf, model, image, target, map, steps),
    },
    {
      name: `insertion ${steps} steps`,
      webxai: () => core.evaluate(model, image, saliency, { metric: 'insertion', target, steps }),
      naive: () => naiveInsertion(tf, model, image, target, map, steps),
    },
    {
      name: `lime ${limeSamples} samples, 7x7 cells`,
      webxai: explainWith({ method: 'lime', samples: limeSamples, segments: cells, fill: 'zero', seed: 1 }),
      naive: () => naiveLime(tf, model, image, target, cells, limeSamples),
    },
    {
      name: `kernel-shap ${shapSamples} samples, 7x7 cells`,
      webxai: explainWith({ method: 'kernel-shap', samples: shapSamples, segments: cells, fill: 'zero', seed: 1 }),
      naive: () => naiveKernelShap(tf, model, image, target, cells, shapSamples),
    },
    {
      // webxai at its default batch size: the same evaluations, several expansions per model call.
      name: `partition-shap ${partitionEvals} evals, pixels`,
      webxai: explainWith({ method: 'partition-shap', maxEvals: partitionEvals, fill: 'zero' }),
      naive: () => naivePartitionShap(tf, model, image, target, partitionEvals),
    },
  ];
}

/** Gradient methods (`background`: expected gradients' baseline images, [8, 28, 28, 1]). */
export function gradientPairs(c: PairContext, background: tfNamespace.Tensor4D): Pair[] {
  const { tf, model, image, target, quick, explainWith } = c;
  const samples = quick ? 8 : 16;
  const igSteps = quick ? 16 : 50;
  const egSamples = quick ? 8 : 32;
  const blurSteps = quick ? 10 : 50;
  const guidedSteps = quick ? 8 : 50;
  const onePass = [
    ['saliency', naiveSaliency],
    ['gradient-x-input', naiveGradientXInput],
    ['guided-backprop', naiveGuidedBackprop],
    ['deconvnet', naiveDeconvnet],
  ] as const;
  return [
    ...onePass.map(([method, naive]) => ({
      name: method,
      webxai: explainWith({ method }),
      naive: () => naive(tf, model, image, target),
    })),
    {
      name: `smoothgrad ${samples} samples`,
      webxai: explainWith({ method: 'smoothgrad', samples, batchSize: samples, noiseLevel: 0.15, seed: 1 }),
      naive: () => naiveSmoothGrad(tf, model, image, target, samples, 0.15),
    },
    {
      name: `integrated gradients ${igSteps} steps`,
      webxai: explainWith({ method: 'integrated-gradients', steps: igSteps, rule: 'riemann-middle' }),
      naive: () => naiveIntegratedGradients(tf, model, image, target, igSteps),
    },
    {
      name: `expected gradients ${egSamples} samples`,
      webxai: explainWith({ method: 'expected-gradients', baselines: background, samples: egSamples, seed: 1 }),
      naive: () => naiveExpectedGradients(tf, model, image, target, background, randomDraws(egSamples, background.shape[0])),
    },
    {
      name: `blur ig ${blurSteps} steps`,
      webxai: explainWith({ method: 'blur-ig', steps: blurSteps }),
      naive: () => naiveBlurIg(tf, model, image, target, blurSteps),
    },
    {
      name: `guided ig ${guidedSteps} steps`,
      webxai: explainWith({ method: 'guided-ig', steps: guidedSteps }),
      naive: () => naiveGuidedIg(tf, model, image, target, guidedSteps),
    },
  ];
}

/** The CAMs at conv3 (and guided Grad-CAM, guided backprop times Grad-CAM's). */
export function camPairs(c: PairContext): Pair[] {
  const { tf, model, image, target, explainWith } = c;
  const withTarget = [
    ['grad-cam', naiveGradCam],
    ['grad-cam++', naiveGradCamPlusPlus],
    ['xgrad-cam', naiveXGradCam],
    ['hires-cam', naiveHiResCam],
    ['layer-cam', naiveLayerCam],
    ['score-cam', naiveScoreCam],
    ['ablation-cam', naiveAblationCam],
  ] as const;
  return [
    ...withTarget.map(([method, naive]) => ({
      name: `${method} conv3`,
      webxai: explainWith({ method, layer: 'conv3' }),
      naive: () => naive(tf, model, image, target, 'conv3'),
    })),
    {
      name: 'eigen-cam conv3',
      webxai: explainWith({ method: 'eigen-cam', layer: 'conv3' }),
      naive: () => naiveEigenCam(tf, model, image, 'conv3'),
    },
    {
      name: 'guided-grad-cam conv3',
      webxai: explainWith({ method: 'guided-grad-cam', layer: 'conv3' }),
      naive: () => naiveGuidedGradCam(tf, model, image, target, 'conv3'),
    },
  ];
}
