// SPDX-License-Identifier: Apache-2.0
// Cheap base options per method (28 x 28, a few steps or samples) and the mutations the fuzzer
// applies on top: known option names (the method's own and the common ones) or unknown ones,
// set to values of every wrong kind.
import * as fc from 'fast-check';
import type * as tf from '@tensorflow/tfjs';

/** Options that keep each method to well under a second on the software GPU at 28 x 28. */
export function baseOptions(method: string, background: tf.Tensor): Record<string, unknown> {
  const segmentation = { method: 'slic', segments: 6 };
  const table: Record<string, Record<string, unknown>> = {
    'integrated-gradients': { steps: 4 },
    smoothgrad: { samples: 3 },
    'expected-gradients': { samples: 3, baselines: background },
    'blur-ig': { steps: 4 },
    'guided-ig': { steps: 4 },
    occlusion: { window: 14, stride: 14 },
    rise: { masks: 16, cellSize: 7 },
    lime: { samples: 16, segmentation },
    'kernel-shap': { samples: 16, segmentation },
    'partition-shap': { maxEvals: 16, segmentation },
    anchors: { segmentation, samplesPerDraw: 10, minSamplesStart: 10, maxSamples: 60 },
    xrai: { integratedGradients: { steps: 2 }, scales: [100] },
    'score-cam': { batchSize: 8 },
    'ablation-cam': { batchSize: 8 },
  };
  return { ...(table[method] ?? {}) };
}

/** Names the mutations set: each method's, the common ones, and near-miss unknowns. */
const NAMES = [
  'steps',
  'samples',
  'seed',
  'batchSize',
  'memoryBudgetMB',
  'rule',
  'baseline',
  'noiseLevel',
  'inner',
  'window',
  'stride',
  'masks',
  'probability',
  'cellSize',
  'kernelWidth',
  'alpha',
  'fill',
  'segments',
  'segmentation',
  'maxEvals',
  'threshold',
  'layer',
  'eigenSmooth',
  'augSmooth',
  'abs',
  'target',
  'signal',
  'onProgress',
  'preprocess',
  'maxSigma',
  'fraction',
  'step',
  'sample',
  'layers',
  'targets',
  'windowSize',
  'nSegments',
];

/** Values of every wrong kind (and a few right ones), none of them valid-but-huge. */
const VALUES: fc.Arbitrary<unknown> = fc.constantFrom<unknown>(
  Number.NaN,
  -1,
  0,
  0.5,
  1,
  2,
  2.5,
  7,
  1e6,
  -Infinity,
  Infinity,
  '3',
  'predicted',
  'auto',
  'conv1',
  'nope',
  null,
  true,
  false,
  [],
  [1, 2],
  [0, 1, 2, 3],
  {},
  { blur: 0 },
  { method: 'slic', segments: 0 },
  { method: 'quickshift', kernelSize: 0 },
  () => 1,
  'zeros',
  'blur',
  'gauss-legendre',
);

/** Up to three option mutations: [name, value]. */
export const MUTATIONS = fc.array(fc.tuple(fc.constantFrom(...NAMES), VALUES), { maxLength: 3 });

/** Options for one case: the cheap base with the mutations applied. */
export function caseOptions(
  method: string,
  background: tf.Tensor,
  mutations: readonly (readonly [string, unknown])[],
): Record<string, unknown> {
  const options: Record<string, unknown> = { method, ...baseOptions(method, background) };
  for (const [name, value] of mutations) {
    // Valid-but-huge work is not what the fuzzer looks for (a million IG steps is slow, not a bug).
    if (value === 1e6 && ['steps', 'samples', 'masks', 'maxEvals', 'batchSize', 'memoryBudgetMB'].includes(name)) continue;
    options[name] = value;
  }
  return options;
}
