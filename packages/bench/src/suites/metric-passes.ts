// SPDX-License-Identifier: Apache-2.0
// The metrics beyond deletion / insertion that score images with the model (ROAD, infidelity,
// faithfulness correlation) against bare forward passes over as many images, in the same call sizes
// (counted in each metric's own untimed first run), interleaved per round so that load hits both
// sides (bound: 1.1x, as deletion / insertion). Their perturbed images are not rebuilt here: on the
// GPU a forward pass's time does not depend on the values, and these metrics' perturbations (ROAD's
// imputation, infidelity's noise, faithfulness correlation's subsets) are part of what is measured.
// --quick: a 32x32 tiny CNN; full: MobileNetV2-224 (seeded).
import type * as tfNamespace from '@tensorflow/tfjs';
import type { BenchCase, BenchContext, BenchSuite, SuiteInstance } from '../harness.js';
import { watchModelCalls } from '../model-calls.js';
import { interleavedRatio, median, medianPairedRatio, msUntilSettled, RunRecorder, webgpuTfjs } from './shared.js';

/** Each metric with its options: faithfulness correlation at 20 runs (its default 100 took 18 s a side on MobileNetV2 here). */
const METRICS: readonly (readonly [name: string, options: Record<string, unknown>])[] = [
  ['road', {}],
  ['infidelity', {}],
  ['faithfulness-correlation', { runs: 20 }],
];

async function setupMetricPasses(context: BenchContext): Promise<SuiteInstance> {
  const { quick } = context;
  const { tf, core, settle } = await webgpuTfjs(context);
  const testing = await import('@webxai/testing/models');
  const size = quick ? 32 : 224;
  const model = quick
    ? testing.tinyCnn('sequential', testing.tinyCnnWeights({ height: size, width: size, channels: 3, filters: 16, classes: 10, seed: 1 }))
    : testing.mobileNetV2({ size, classes: 1000, seed: 2 });
  const label = quick ? `tiny-cnn ${size}` : `mnv2-${size}`;
  const x = tf.randomUniform<tfNamespace.Rank.R4>([1, size, size, 3], 0, 1, 'float32', 7);
  const attribution = tf.randomNormal<tfNamespace.Rank.R3>([1, size, size], 0, 1, 'float32', 8);
  const times = new RunRecorder();
  const callSizes = new Map<string, number[]>();
  const runs = quick ? 2 : 3;

  /** The metric once, its model calls' batch sizes recorded. */
  const countCalls = async (metric: string, options: Record<string, unknown>) => {
    const sizes: number[] = [];
    const restore = watchModelCalls(model, (batch) => sizes.push(batch));
    try {
      await evaluateOnce(metric, options);
    } finally {
      restore();
    }
    callSizes.set(metric, sizes);
  };
  const evaluateOnce = (metric: string, options: Record<string, unknown>) =>
    core.evaluate(model, x, attribution, { metric, target: 0, ...options } as never);
  /** Forward passes in `sizes`' calls, each read back as the metrics read theirs. */
  const bare = async (sizes: readonly number[]) => {
    for (const [i, count] of sizes.entries()) {
      const y = tf.tidy(
        () => model.predict(tf.mul(tf.tile(x, [count, 1, 1, 1]), 1 - i / sizes.length / 2), { batchSize: count }) as tfNamespace.Tensor,
      );
      await y.data();
      y.dispose();
    }
  };
  const timed = async (key: string, work: () => Promise<unknown>) => void times.record(key, await msUntilSettled(work, settle));

  const cases: BenchCase[] = METRICS.map(([metric, options]) => ({
    name: `interleaved: ${label} bare forwards over the images ${metric} scores, then ${metric}`,
    policy: { warmupRuns: 1, minRuns: runs, maxRuns: runs, budgetMs: 0 },
    run: async () => {
      if (!callSizes.has(metric)) await countCalls(metric, options);
      await timed(`${metric} bare`, () => bare(callSizes.get(metric)!));
      await timed(metric, () => evaluateOnce(metric, options));
    },
    metrics: () => summary(metric),
  }));

  function summary(metric: string) {
    const [m, b] = [times.timed(metric), times.timed(`${metric} bare`)];
    return {
      images: (callSizes.get(metric) ?? []).reduce((s, n) => s + n, 0),
      metricMs: median(m),
      bareMs: median(b),
      ratio: median(m) / median(b),
      pairedRatio: medianPairedRatio(m, b),
    };
  }

  return {
    cases,
    dispose() {
      const lines = [`metric-passes summary (${label}; medians of the timed runs, warm-up dropped):`];
      for (const [metric] of METRICS) {
        const s = summary(metric);
        if (Number.isNaN(s.metricMs)) continue;
        lines.push(
          `  ${metric}: ${s.images} images; ${s.metricMs.toFixed(1)} ms / bare forwards ${s.bareMs.toFixed(1)} ms: ` +
            interleavedRatio(times.timed(metric), times.timed(`${metric} bare`), 1.1),
        );
      }
      if (lines.length > 1) console.log(lines.join('\n')); // a filter may have left every case out
      tf.dispose([x, attribution]);
      model.dispose();
    },
  };
}

/** ROAD, infidelity and faithfulness correlation vs bare forwards over as many images. */
export const metricPassesSuite: BenchSuite = {
  name: 'metric-passes',
  description:
    'ROAD, infidelity, faithfulness correlation (20 runs) vs bare forward passes over as many images in the same calls, interleaved (bound 1.1x); MobileNetV2-224 (--quick: tiny CNN 32x32); ~1.5 min on a software GPU',
  setup: setupMetricPasses,
};
