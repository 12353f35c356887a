// SPDX-License-Identifier: Apache-2.0
// Property-based fuzzing of the public entry points (issue 16): generated bad inputs, options and
// misbehaving models against every method, through explain, createExplainer and a reused
// explainer, and against segment. Every case: success or a typed XaiError, within a deadline,
// no leaked tensors or GPU buffers, and a working device afterwards. Seeded: a failure prints
// the seed and path to replay (see config.ts).
import { afterAll, beforeAll, describe, it } from 'vitest';
import * as fc from 'fast-check';
import * as tf from '@tensorflow/tfjs';
import { createExplainer, disposeResult, explain, listMethods, segment } from '../../src/index.js';
import { disposeWeights, tinyCnn, tinyCnnWeights, type TinyCnnWeights } from '@webxai/testing/models';
import { CASE_SIGNAL_MS, FUZZ_PATH, FUZZ_RUNS, FUZZ_SEED, suiteTimeout } from './config.js';
import { expectCleanAndWorking, expectTypedOutcome, memorySnapshot, withinDeadline } from './harness.js';
import { INPUT_KINDS, makeInput } from './inputs.js';
import { CLASSES, makeModel, MODEL_KINDS, SIZE } from './models.js';
import { baseOptions, caseOptions, MUTATIONS } from './options.js';

/** Mostly the good model and input (so methods run deep), often something wrong. */
const modelKinds = fc.oneof(
  { arbitrary: fc.constant('layers' as const), weight: 3 },
  { arbitrary: fc.constantFrom(...MODEL_KINDS), weight: 2 },
);
const inputKinds = fc.oneof(
  { arbitrary: fc.constant('image' as const), weight: 3 },
  { arbitrary: fc.constantFrom(...INPUT_KINDS), weight: 2 },
);
const entries = fc.constantFrom('explain', 'createExplainer', 'reuse');

function describeValue(value: unknown): string {
  if (typeof value === 'function') return 'fn';
  if (value instanceof tf.Tensor) return `tensor[${value.shape}]`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

describe('fuzz: every method and entry point', () => {
  let weights: TinyCnnWeights;
  let layers: tf.LayersModel;
  let background: tf.Tensor;
  const warmed = new Set<string>();

  beforeAll(async () => {
    await tf.setBackend('webgpu');
    weights = tinyCnnWeights({ height: SIZE, width: SIZE, channels: 1, classes: CLASSES, seed: 3 });
    layers = tinyCnn('sequential', weights);
    background = tf.randomUniform([2, SIZE, SIZE, 1], 0, 1, 'float32', 9);
  });
  afterAll(() => {
    disposeWeights(weights);
    background.dispose();
  });

  /** First use of a method compiles its pipelines and fills per-model caches: not a leak. */
  async function warm(method: string): Promise<void> {
    if (warmed.has(method)) return;
    warmed.add(method);
    const x = tf.randomUniform([SIZE, SIZE, 1], 0, 1, 'float32', 1);
    try {
      disposeResult(await explain(layers, x, { method, ...baseOptions(method, background) } as never));
    } finally {
      x.dispose();
    }
  }

  it(
    `explain / createExplainer / reuse: ${FUZZ_RUNS} generated cases`,
    async () => {
      const property = fc.asyncProperty(
        fc.constantFrom(...listMethods()),
        modelKinds,
        inputKinds,
        MUTATIONS,
        entries,
        fc.nat(1000),
        async (method, modelKind, inputKind, mutations, entry, seed) => {
          const label = `${entry}(${modelKind}, ${inputKind}, ${method} ${mutations.map(([k, v]) => `${k}=${describeValue(v)}`).join(' ')})`;
          await warm(method);
          const before = await memorySnapshot();
          const { input, owned } = makeInput(inputKind, seed);
          const model = makeModel(modelKind, layers);
          const options = caseOptions(method, background, mutations);
          if (!('signal' in options)) options['signal'] = AbortSignal.timeout(CASE_SIGNAL_MS);
          try {
            const outcome = await withinDeadline(label, async () => {
              if (entry === 'explain') return explain(model as never, input as never, options as never);
              const explainer = createExplainer(model as never, options as never);
              try {
                if (entry === 'reuse') disposeResult(await explainer.explain(input as never, { target: 'predicted' }));
                return await explainer.explain(input as never);
              } finally {
                explainer.dispose();
              }
            });
            expectTypedOutcome(label, outcome);
          } finally {
            tf.dispose(owned);
          }
          await expectCleanAndWorking(label, before);
        },
      );
      await fc.assert(property, { seed: FUZZ_SEED, numRuns: FUZZ_RUNS, endOnFailure: true, ...(FUZZ_PATH ? { path: FUZZ_PATH } : {}) });
    },
    suiteTimeout(FUZZ_RUNS, 5000),
  );

  it(
    `segment: ${FUZZ_RUNS} generated cases`,
    async () => {
      const property = fc.asyncProperty(
        fc.constantFrom('slic', 'felzenszwalb', 'quickshift', 'watershed'),
        inputKinds,
        MUTATIONS,
        fc.nat(1000),
        async (method, inputKind, mutations, seed) => {
          const label = `segment(${inputKind}, ${method} ${mutations.map(([k, v]) => `${k}=${describeValue(v)}`).join(' ')})`;
          const before = await memorySnapshot();
          const { input, owned } = makeInput(inputKind, seed);
          const options: Record<string, unknown> = { method };
          for (const [name, value] of mutations) options[name] = value;
          try {
            expectTypedOutcome(label, await withinDeadline(label, () => segment(input as never, options as never)));
          } finally {
            tf.dispose(owned);
          }
          await expectCleanAndWorking(label, before);
        },
      );
      await fc.assert(property, { seed: FUZZ_SEED + 1, numRuns: FUZZ_RUNS, endOnFailure: true, ...(FUZZ_PATH ? { path: FUZZ_PATH } : {}) });
    },
    suiteTimeout(FUZZ_RUNS, 2000),
  );
});
