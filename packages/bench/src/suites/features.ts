// SPDX-License-Identifier: Apache-2.0
// Feature visualisation (visualizeFeature) on tfjs's webgpu backend: channels visualised per second
// against the bare forward + backward passes the same optimisation needs (feature-workload.ts:
// visualizeFeature's own model pass; and, as a reference, the same passes as tfjs runs them), on
// two models:
// - the tiny CNN at 128 x 128, 4 channels of conv2, 64 steps per run, 5 runs (full mode): the worst
//   case for the ratio (the model costs little, so webxai's FFT and sampling kernels dominate);
// - the real MobileNetV2 fixture at 224 x 224 (the browser bench's model, pretrained weights), 2
//   channels of a mid layer (block_8_expand_relu, 14 x 14 x 384), 4 steps per run, 3 runs: a model
//   whose passes cost what real ones do (~1 s per image and step here), ~50 s in all on lavapipe.
//   Its ratio sits near 1.0 (0.98-1.04 since session 35), so 3 runs (5 until session 43) leave the
//   full mode's 30-minute budget room for the browser's element rows.
// The two sides run interleaved in one case so that load from other processes hits both alike; the
// summary gives the median of the runs' own ratios too (a single pair swung +-0.3 in sessions 10-11),
// and the ratio of process CPU time: lavapipe's threads run in this process, so CPU time counts the
// GPU work as well, and other processes' load does not enter it (session 14: CPU ratios 1.15-1.21
// where wall ratios ranged 0.96-1.21 at load 2.5-9).
// Each case sets itself up in its warm-up run (a --filter naming only one case loads only its model)
// and compiles there with one step of each side: tfjs's model programs, which the side run first
// would otherwise compile for the other, and webxai's kernels.
import type * as tfNamespace from '@tensorflow/tfjs';
import { featureWorkload, type FeatureUnits, type FeatureWorkload } from '../feature-workload.js';
import type { BenchCase, BenchSuite, SuiteInstance, BenchContext } from '../harness.js';
import { loadMobileNetV2Fixture } from './fixture-model.js';
import {
  interleavedRatio,
  costOf,
  envCount,
  medianOf,
  medianPairedRatio,
  msUntilSettled,
  RunRecorder,
  webgpuTfjs,
  type WebGpuTfjs,
} from './shared.js';

/** One interleaved comparison: a model, the units visualised, and how long to run. */
export interface FeatureCaseSpec {
  /** The model as the summary names it. */
  readonly model: string;
  /** The case name's label of the model ('' for the tiny CNN, whose case name predates the others). */
  readonly nameModel: string;
  readonly size: number;
  readonly units: FeatureUnits;
  readonly steps: number;
  readonly runs: number;
  load(): Promise<{ readonly model: tfNamespace.LayersModel; dispose(): void }>;
}

/** A case of the suite with what its summary and cleanup need. */
interface FeatureCase {
  readonly bench: BenchCase;
  /** The summary lines, or none when the case did not run. */
  summary(): string[];
  dispose(): void;
}

function featureCase(spec: FeatureCaseSpec, { tf, core, settle }: WebGpuTfjs): FeatureCase {
  const { units, steps, size } = spec;
  const times = new RunRecorder(false); // the warm-up run sets up and compiles outside the recorder
  let loaded: { model: { dispose(): void }; workload: FeatureWorkload } | undefined;
  const visualize = () => loaded!.workload.visualize(steps);
  const bare = () => Promise.resolve(loaded!.workload.bare(steps)); // the settle waits for the GPU
  const bareTfGrad = () => Promise.resolve(loaded!.workload.bareTfGrad(steps));
  const label = `${units.channels} channel${units.channels === 1 ? '' : 's'} of ${units.layer}, ${size}x${size}, ${steps} steps`;
  const v = () => medianOf(times, 'visualize');
  const b = () => medianOf(times, 'bare');
  const t = () => medianOf(times, 'bare tf.grad');
  const paired = () => medianPairedRatio(times.timed('visualize'), times.timed('bare'));
  const cpuRatio = () => medianOf(times, 'visualize cpu') / medianOf(times, 'bare cpu');
  /** Records one side's wall and process CPU time until its GPU work is done. */
  const recordSide = async (key: string, work: () => Promise<unknown>) => {
    const cost = await costOf(async () => {
      await work();
      await settle();
    });
    times.record(key, cost.wallMs);
    times.record(`${key} cpu`, cost.cpuMs);
  };
  return {
    bench: {
      name: `interleaved: visualizeFeature (${spec.nameModel}${label}), bare forward+backward x ${steps}`,
      // One channel batch is one optimisation: elements/s = channels visualised per second.
      elements: units.channels,
      policy: { warmupRuns: 1, minRuns: spec.runs, maxRuns: spec.runs, budgetMs: 0 },
      run: async () => {
        if (!loaded) {
          const model = await spec.load();
          loaded = { model, workload: featureWorkload(tf, core, model.model, units) };
          await msUntilSettled(() => loaded!.workload.visualize(1), settle);
          await msUntilSettled(() => Promise.resolve(loaded!.workload.bare(1)), settle);
          await msUntilSettled(() => Promise.resolve(loaded!.workload.bareTfGrad(1)), settle);
          return;
        }
        await recordSide('visualize', visualize);
        await recordSide('bare', bare);
        await recordSide('bare tf.grad', bareTfGrad);
      },
      metrics: () => ({
        'visualizeFeature median ms': v(),
        'bare forward+backward median ms': b(),
        'bare tf.grad reference median ms': t(),
        'channels per second': (units.channels * 1000) / v(),
        'visualize / bare': v() / b(),
        'visualize / bare, median paired': paired(),
        'visualize / bare, process CPU time': cpuRatio(),
        'visualize / bare tf.grad reference': v() / t(),
      }),
    },
    summary: () =>
      times.timed('visualize').length === 0
        ? []
        : [
            `  ${spec.model}; ${label}:`,
            `    channels visualised per second = ${((units.channels * 1000) / v()).toPrecision(3)} (${(v() / 1000).toFixed(2)} s per batch of ${units.channels})`,
            `    visualizeFeature / bare forward+backward over the same ${steps} steps + 1 forward (bare ${(b() / 1000).toFixed(2)} s): ${interleavedRatio(times.timed('visualize'), times.timed('bare'), 1.15)}; process CPU time ratio ${cpuRatio().toFixed(3)}x`,
            `    reference: the same passes as tfjs runs them (tf.grad, unfused layers) ${(t() / 1000).toFixed(2)} s; visualizeFeature / that = ${(v() / t()).toFixed(3)}x`,
          ],
    dispose: () => {
      loaded?.workload.dispose();
      loaded?.model.dispose();
    },
  };
}

/** The tiny CNN case: the worst case for the ratio. XAI_FEATURES_BENCH_STEPS / _RUNS / _CHANNELS override its defaults. */
function tinyCnnSpec(quick: boolean): FeatureCaseSpec {
  const size = 128;
  return {
    model: 'tiny CNN 128x128x3, 8 filters',
    nameModel: '',
    size,
    units: { layer: 'conv2', channels: Math.min(8, envCount('XAI_FEATURES_BENCH_CHANNELS', quick ? 2 : 4)) },
    steps: envCount('XAI_FEATURES_BENCH_STEPS', quick ? 4 : 64),
    runs: quick ? 1 : envCount('XAI_FEATURES_BENCH_RUNS', 5),
    load: async () => {
      const testing = await import('@webxai/testing/models');
      const weights = testing.tinyCnnWeights({ height: size, width: size, channels: 3, filters: 8, classes: 10, seed: 1 });
      const model = testing.tinyCnn('sequential', weights);
      return {
        model,
        dispose: () => {
          testing.disposeWeights(weights);
          model.dispose();
        },
      };
    },
  };
}

/**
 * The MobileNetV2 case: a real model's passes against the same webxai kernels (at 224: FFTs of
 * 16 x 14). --quick: 1 channel, 2 steps, 1 run (~15 s here). XAI_FEATURES_MOBILENET_STEPS / _RUNS override.
 */
function mobileNetSpec(tf: WebGpuTfjs['tf'], quick: boolean): FeatureCaseSpec {
  return {
    model: 'MobileNetV2 224x224x3 (packages/models/fixtures, pretrained)',
    nameModel: 'MobileNetV2, ',
    size: 224,
    units: { layer: 'block_8_expand_relu', channels: quick ? 1 : 2 },
    steps: envCount('XAI_FEATURES_MOBILENET_STEPS', quick ? 2 : 4),
    runs: quick ? 1 : envCount('XAI_FEATURES_MOBILENET_RUNS', 3),
    load: async () => {
      const model = await loadMobileNetV2Fixture(tf);
      return { model, dispose: () => model.dispose() };
    },
  };
}

/** The suite's comparisons: the tiny CNN's, then MobileNetV2's. */
export function featureCaseSpecs(tf: WebGpuTfjs['tf'], quick: boolean): FeatureCaseSpec[] {
  return [tinyCnnSpec(quick), mobileNetSpec(tf, quick)];
}

async function setupFeatures(context: BenchContext): Promise<SuiteInstance> {
  const tfjs = await webgpuTfjs(context);
  const cases = featureCaseSpecs(tfjs.tf, context.quick).map((spec) => featureCase(spec, tfjs));
  return {
    cases: cases.map((c) => c.bench),
    dispose() {
      const lines = cases.flatMap((c) => c.summary());
      if (lines.length > 0) console.log(['features summary (medians of the timed runs):', ...lines].join('\n'));
      cases.forEach((c) => c.dispose());
    },
  };
}

/** visualizeFeature throughput and overhead over its bare forward + backward passes. */
export const featuresSuite: BenchSuite = {
  name: 'features',
  description:
    'feature visualisation vs the bare forward+backward passes it needs: tiny CNN 128x128, 5 runs of 64 steps (--quick: 4 steps); MobileNetV2-224, 2 channels of a mid layer, 3 runs of 4 steps (--quick: 1 channel, 2 steps)',
  setup: setupFeatures,
};
