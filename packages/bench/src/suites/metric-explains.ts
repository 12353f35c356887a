// SPDX-License-Identifier: Apache-2.0
// The checks that explain again (max-sensitivity re-explains perturbed inputs; cascading
// randomisation re-explains after each layer's weights are re-drawn) against the explanations they
// run, made bare on the same model: max-sensitivity's as one `explain` call over its samples (it
// batches them, as Captum; each explanation's delta is part of what it compares), cascading
// randomisation's as the gradient passes over each step's IG points (it keeps only the maps: no
// end points, no delta), all maps read back at the end; plus the forward that resolves the
// target. Interleaved per round, so load
// hits both sides (bound 1.15x, as the methods'). What is left over is each check's own work: the
// perturbations and norms, the model copy and weight draws, the Spearman and SSIM comparisons. On
// the shipped MNIST CNN, quick and full alike (seconds).
import type * as tfNamespace from '@tensorflow/tfjs';
import type { BenchCase, BenchContext, BenchSuite, SuiteInstance } from '../harness.js';
import { interleavedRatio, median, medianPairedRatio, mnistDigit, msUntilSettled, RunRecorder, webgpuTfjs } from './shared.js';

/** The explanation both checks repeat: IG with 16 steps (a batch of points, a readback at the end). */
const EXPLAIN = { method: 'integrated-gradients', steps: 16 } as const;
const SAMPLES = 10;
const BOUND = 1.15;

async function setupMetricExplains(context: BenchContext): Promise<SuiteInstance> {
  const { tf, core, settle } = await webgpuTfjs(context);
  const { model, image, target } = await mnistDigit(tf);
  const original = await core.explain(model, image, { ...EXPLAIN, target });
  const layersWithWeights = model.layers.filter((layer) => layer.getWeights().length > 0).length;
  const times = new RunRecorder();

  /**
   * The forward that resolves the target, then `calls` explanations of `copies` copies of the image
   * in one batch each, each map read back.
   */
  /** The forward that resolves the target (predict + read), which both checks start with. */
  const targetForward = async () => {
    const scores = model.predict(image) as tfNamespace.Tensor;
    await scores.data();
    scores.dispose();
  };
  const bareExplains = async (calls: number, copies: number) => {
    await targetForward();
    const batch = tf.tile(image, [copies, 1, 1, 1]);
    for (let i = 0; i < calls; i++) {
      const result = await core.explain(model, batch, { ...EXPLAIN, target: new Array<number>(copies).fill(target) });
      await result.attribution.data();
      core.disposeResult(result);
    }
    batch.dispose();
  };
  /**
   * The forward that resolves the target, then `calls` gradient passes over the IG points of the
   * image (webxai's bare pass, targetGradients), each after a forward of the image (the check's
   * re-drawn copies' score checks, one per call but the first), all read back together at the end.
   */
  const adapter = core.adaptModel(model);
  const points = tf.tidy(() =>
    tf.mul(tf.tile(image, [EXPLAIN.steps, 1, 1, 1]), tf.linspace(0.5 / EXPLAIN.steps, 1, EXPLAIN.steps).reshape([-1, 1, 1, 1])),
  );
  const bareGradientPasses = async (calls: number) => {
    await targetForward();
    const copyScores = Array.from({ length: calls - 1 }, () => model.predict(image) as tfNamespace.Tensor);
    const maps = Array.from({ length: calls }, () => core.targetGradients(adapter, points as tfNamespace.Tensor4D, [target]));
    const all = tf.concat([...copyScores, ...maps].map((m) => m.reshape([-1])));
    await all.data();
    tf.dispose([...copyScores, ...maps, all]);
  };
  const timed = async (key: string, work: () => Promise<unknown>) => void times.record(key, await msUntilSettled(work, settle));
  const checks: { name: string; bare: string; explains: () => Promise<void>; run: () => Promise<unknown> }[] = [
    {
      name: `max-sensitivity (${SAMPLES} samples)`,
      bare: `1 bare explain of the ${SAMPLES} samples`,
      explains: () => bareExplains(1, SAMPLES),
      run: () =>
        core.evaluate(model, image, original.attribution, { metric: 'max-sensitivity', target, explain: EXPLAIN, samples: SAMPLES }),
    },
    {
      name: `cascading randomisation (${layersWithWeights} layers)`,
      // The original map, then one per randomised layer.
      bare: `${layersWithWeights + 1} bare gradient passes over ${EXPLAIN.steps} points`,
      explains: () => bareGradientPasses(layersWithWeights + 1),
      run: () => core.cascadingRandomisation(model, image, { explain: EXPLAIN, target: [target] }),
    },
  ];

  const cases: BenchCase[] = checks.map((check) => ({
    name: `interleaved: mnist-cnn ${check.bare} (${EXPLAIN.method} ${EXPLAIN.steps} steps), then ${check.name}`,
    // 21 timed rounds: one IG explain swings 26-50 ms here and a round in ~7 takes 20-50% longer on
    // either side; 5 rounds left the median ratio moving by ~0.1 between runs, 9 still by 0.97-1.29
    // for cascading randomisation (session 43: two runs of the suite back to back).
    policy: { warmupRuns: 1, minRuns: 21, maxRuns: 21, budgetMs: 0 },
    run: async () => {
      await timed(`${check.name} bare`, check.explains);
      await timed(check.name, check.run);
    },
    metrics: () => summary(check.name),
  }));

  function summary(name: string) {
    const [m, b] = [times.timed(name), times.timed(`${name} bare`)];
    return { checkMs: median(m), bareMs: median(b), ratio: median(m) / median(b), pairedRatio: medianPairedRatio(m, b) };
  }

  return {
    cases,
    dispose() {
      const lines = [
        `metric-explains summary (mnist-cnn, ${EXPLAIN.method} ${EXPLAIN.steps} steps; medians of the timed runs, warm-up dropped):`,
      ];
      for (const check of checks) {
        const s = summary(check.name);
        if (Number.isNaN(s.checkMs)) continue;
        lines.push(
          `  ${check.name}: ${s.checkMs.toFixed(1)} ms / ${check.bare} ${s.bareMs.toFixed(1)} ms: ` +
            interleavedRatio(times.timed(check.name), times.timed(`${check.name} bare`), BOUND),
        );
      }
      if (lines.length > 1) console.log(lines.join('\n')); // a filter may have left every case out
      core.disposeResult(original);
      tf.dispose([image, points]);
      model.dispose();
    },
  };
}

/** Max-sensitivity and cascading randomisation vs the explanations they run. */
export const metricExplainsSuite: BenchSuite = {
  name: 'metric-explains',
  description: `max-sensitivity and cascading randomisation vs the bare explains they run (IG 16 steps, maps read back), interleaved (bound ${BOUND}x); MNIST CNN; ~15 s on a software GPU`,
  setup: setupMetricExplains,
};
