// SPDX-License-Identifier: Apache-2.0
// webxai beside the naive code a user would write without it, on the shipped MNIST CNN (tfjs
// webgpu): occlusion, RISE, the deletion metric, SmoothGrad, Integrated Gradients (./loops.ts);
// Grad-CAM, Score-CAM, Ablation-CAM (./cam-loops.ts); Grad-CAM++, XGrad-CAM, HiResCAM, Layer-CAM,
// Eigen-CAM (./cam-variants.ts); guided backprop and deconvnet (./guided-relu-loops.ts); LIME
// (./lime-loop.ts); KernelSHAP (./shap-loop.ts); Guided IG (./guided-ig-loop.ts); expected
// gradients and Blur IG (./path-loops.ts). Each case runs webxai and the naive code interleaved
// (load from other processes hits both), and the summary prints the speedup.
//
// Not here, and why:
// - saliency, gradient × input: the naive code is webxai's work itself, one tf.grad (the guided
//   backprop and deconvnet rows show what one backward pass costs on either side).
// - guided Grad-CAM: webxai runs guided backprop and Grad-CAM one after the other and multiplies
//   them, as a user would; its row would time those two rows again.
// - PartitionSHAP, Anchors, XRAI: no loop a user writes in an afternoon (shap's partition tree and
//   Owen values; KL-LUCB beam search over anchor rules; Felzenszwalb segmentations at several
//   scales ranked by IG): a port of the reference library would be the baseline, not a naive loop.
// - metrics other than deletion: insertion is deletion's mirror; the others were not written.
import type * as tfNamespace from '@tensorflow/tfjs';
import type { BenchContext, BenchSuite, SuiteInstance } from '../../harness.js';
import { medianOf, msUntilSettled, RunRecorder, webgpuTfjs } from '../shared.js';
import { naiveAblationCam, naiveGradCam, naiveScoreCam } from './cam-loops.js';
import { naiveEigenCam, naiveGradCamPlusPlus, naiveHiResCam, naiveLayerCam, naiveXGradCam } from './cam-variants.js';
import { naiveDeconvnet, naiveGuidedBackprop } from './guided-relu-loops.js';
import { naiveGuidedIg } from './guided-ig-loop.js';
import { naiveLime } from './lime-loop.js';
import { naiveBlurIg, naiveExpectedGradients, randomDraws } from './path-loops.js';
import { naiveDeletion, naiveIntegratedGradients, naiveOcclusion, naiveRise, naiveSmoothGrad } from './loops.js';
import { gridSegments } from './grid-segments.js';
import { naiveKernelShap } from './shap-loop.js';

type Work = () => Promise<unknown>;

async function setupNaive(context: BenchContext): Promise<SuiteInstance> {
  const { quick } = context;
  const { tf, core, settle } = await webgpuTfjs(context);
  const { loadMnistCnn, mnistSamples } = await import('@webxai/models');
  const model = await loadMnistCnn();
  const samples = mnistSamples();
  const image = tf.tidy<tfNamespace.Tensor4D>(() => samples.images.slice([0, 0, 0, 0], [1, 28, 28, 1]));
  samples.images.dispose();
  const logits = model.predict(image) as tfNamespace.Tensor;
  const target = (await tf.argMax(logits, 1).data())[0]!;
  logits.dispose();
  const saliency = await core.explain(model, image, { method: 'saliency', target });
  const map = (await saliency.attribution.data()) as Float32Array;

  const masks = quick ? 50 : 200;
  const steps = quick ? 14 : 50;
  const samplesCount = quick ? 8 : 16;
  const stride = quick ? 4 : 2;
  const windows = ((28 - 4) / stride + 1) ** 2;
  const igSteps = quick ? 16 : 50;
  const limeSamples = quick ? 50 : 300;
  const shapSamples = quick ? 60 : 300;
  const guidedSteps = quick ? 8 : 50;
  const egSamples = quick ? 8 : 32;
  const blurSteps = quick ? 10 : 50;
  const background = tf.randomUniform<tfNamespace.Rank.R4>([8, 28, 28, 1], 0, 1, 'float32', 5);
  const cells = gridSegments(28, 28, 4);
  const explainers: { dispose(): void }[] = [];
  const explainWith = (options: Record<string, unknown>): Work => {
    const explainer = core.createExplainer(model, { target, ...options } as never);
    explainers.push(explainer);
    return async () => (await explainer.explain(image)).attribution.dispose();
  };
  const pairs: { name: string; webxai: Work; naive: Work }[] = [
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
      webxai: () => core.evaluate(model, image, saliency.attribution, { metric: 'deletion', target, steps }),
      naive: () => naiveDeletion(tf, model, image, target, map, steps),
    },
    {
      name: `smoothgrad ${samplesCount} samples`,
      webxai: explainWith({ method: 'smoothgrad', samples: samplesCount, batchSize: samplesCount, noiseLevel: 0.15, seed: 1 }),
      naive: () => naiveSmoothGrad(tf, model, image, target, samplesCount, 0.15),
    },
    {
      name: `integrated gradients ${igSteps} steps`,
      webxai: explainWith({ method: 'integrated-gradients', steps: igSteps, rule: 'riemann-middle' }),
      naive: () => naiveIntegratedGradients(tf, model, image, target, igSteps),
    },
    {
      name: 'grad-cam conv3',
      webxai: explainWith({ method: 'grad-cam', layer: 'conv3' }),
      naive: () => naiveGradCam(tf, model, image, target, 'conv3'),
    },
    ...(
      [
        ['grad-cam++', naiveGradCamPlusPlus],
        ['xgrad-cam', naiveXGradCam],
        ['hires-cam', naiveHiResCam],
        ['layer-cam', naiveLayerCam],
      ] as const
    ).map(([method, naiveCam]) => ({
      name: `${method} conv3`,
      webxai: explainWith({ method, layer: 'conv3' }),
      naive: () => naiveCam(tf, model, image, target, 'conv3'),
    })),
    {
      name: 'eigen-cam conv3',
      webxai: explainWith({ method: 'eigen-cam', layer: 'conv3' }),
      naive: () => naiveEigenCam(tf, model, image, 'conv3'),
    },
    {
      name: 'score-cam conv3',
      webxai: explainWith({ method: 'score-cam', layer: 'conv3' }),
      naive: () => naiveScoreCam(tf, model, image, target, 'conv3'),
    },
    {
      name: 'ablation-cam conv3',
      webxai: explainWith({ method: 'ablation-cam', layer: 'conv3' }),
      naive: () => naiveAblationCam(tf, model, image, target, 'conv3'),
    },
    {
      name: 'guided backprop',
      webxai: explainWith({ method: 'guided-backprop' }),
      naive: () => naiveGuidedBackprop(tf, model, image, target),
    },
    {
      name: 'deconvnet',
      webxai: explainWith({ method: 'deconvnet' }),
      naive: () => naiveDeconvnet(tf, model, image, target),
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
      name: `guided ig ${guidedSteps} steps`,
      webxai: explainWith({ method: 'guided-ig', steps: guidedSteps }),
      naive: () => naiveGuidedIg(tf, model, image, target, guidedSteps),
    },
    {
      name: `expected gradients ${egSamples} samples`,
      webxai: explainWith({ method: 'expected-gradients', baselines: background, samples: egSamples, seed: 1 }),
      naive: () => naiveExpectedGradients(tf, model, image, target, background, randomDraws(egSamples, 8)),
    },
    {
      name: `blur ig ${blurSteps} steps`,
      webxai: explainWith({ method: 'blur-ig', steps: blurSteps }),
      naive: () => naiveBlurIg(tf, model, image, target, blurSteps),
    },
  ];

  // The recorder drops each key's first run: the harness's warm-up, where pipelines compile.
  const times = new RunRecorder();
  const timeOnce = async (key: string, work: Work) => times.record(key, await msUntilSettled(work, settle));
  const m = (key: string) => medianOf(times, key);
  return {
    cases: pairs.map(({ name, webxai, naive }) => ({
      name: `${name}: webxai, then the naive loop`,
      elements: 1,
      policy: { warmupRuns: 1, minRuns: quick ? 2 : 3, maxRuns: quick ? 2 : 5, budgetMs: 0 },
      run: async () => {
        await timeOnce(`${name} webxai`, webxai);
        await timeOnce(`${name} naive`, naive);
      },
      metrics: () => ({ 'webxai median ms': m(`${name} webxai`), 'naive loop median ms': m(`${name} naive`) }),
    })),
    dispose() {
      const rows = pairs
        .filter(({ name }) => times.timed(`${name} webxai`).length > 0)
        .map(({ name }) => {
          const [a, b] = [m(`${name} webxai`), m(`${name} naive`)];
          return `  ${name.padEnd(40)} webxai ${a.toFixed(1).padStart(8)} ms   naive loop ${b.toFixed(1).padStart(8)} ms   speedup ${(b / a).toFixed(2)}x`;
        });
      if (rows.length > 0) console.log(['naive summary (MNIST CNN 28x28x1, tfjs webgpu; medians):', ...rows].join('\n'));
      explainers.forEach((e) => e.dispose());
      saliency.attribution.dispose();
      tf.dispose([image, background]);
      model.dispose();
    },
  };
}

/** webxai beside the per-step loops a user would write without it. */
export const naiveSuite: BenchSuite = {
  name: 'naive',
  description:
    'webxai vs the naive tfjs code a user would write (occlusion, RISE, deletion, SmoothGrad, IG, expected gradients, Blur IG, Guided IG, the CAMs, guided backprop, deconvnet, LIME, KernelSHAP) on the MNIST CNN: times and speedup',
  setup: setupNaive,
};
