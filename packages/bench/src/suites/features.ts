// SPDX-License-Identifier: Apache-2.0
// Feature visualisation (visualizeFeature) on tfjs's webgpu backend: channels visualised per second
// at 128 x 128, 64 steps per run, 5 runs (full mode), against the bare forward + backward passes the same optimisation
// needs (one pass to the layer and back per step over the same batch of images, tf.grad only, the
// unused filter gradients skipped as visualizeFeature skips them).
// The two run interleaved in one case so that load from other processes hits both alike; the summary
// gives the median of the runs' own ratios too (a single pair swung +-0.3 in sessions 10-11).
import type * as tfNamespace from '@tensorflow/tfjs';
import type { BenchSuite, SuiteInstance, BenchContext } from '../harness.js';
import { boundVerdict, envCount, medianOf, medianPairedRatio, msUntilSettled, RunRecorder, webgpuTfjs } from './shared.js';

async function setupFeatures(context: BenchContext): Promise<SuiteInstance> {
  const { quick } = context;
  const { tf, core, settle } = await webgpuTfjs(context);
  const testing = await import('@webxai/testing/models');

  const size = 128;
  // XAI_FEATURES_BENCH_STEPS / _CHANNELS override the defaults (e.g. a shorter run on a loaded machine).
  // Full: 5 runs of 64 steps each side (~40 s here); the ratio is per step.
  const steps = envCount('XAI_FEATURES_BENCH_STEPS', quick ? 4 : 64);
  const runs = quick ? 1 : envCount('XAI_FEATURES_BENCH_RUNS', 5);
  const channels = Math.min(8, envCount('XAI_FEATURES_BENCH_CHANNELS', quick ? 2 : 4));
  const weights = testing.tinyCnnWeights({ height: size, width: size, channels: 3, filters: 8, classes: 10, seed: 1 });
  const model = testing.tinyCnn('sequential', weights);
  // The bare passes: the model up to 'conv2' (the layer visualised), gradient of every image's own
  // channel mean with respect to a [channels, 128, 128, 3] batch, `steps` times, awaited at the end.
  const head = tf.model({ inputs: model.inputs, outputs: model.getLayer('conv2').output });
  const batch = tf.randomUniform<tfNamespace.Rank.R4>([channels, size, size, 3], 0, 1, 'float32', 3);
  const mask = tf.oneHot(tf.range(0, channels, 1, 'int32'), 8).toFloat();
  const units = Array.from({ length: channels }, (_, i) => i);
  const visualizeFor = async (n: number) =>
    (await core.visualizeFeature(model, { layer: 'conv2', channels: units, steps: n, seed: 1 })).images.dispose();
  const bareFor = (n: number): Promise<void> => {
    for (let s = 0; s < n; s++) {
      tf.dispose(
        tf.grad((x: tfNamespace.Tensor) => {
          const activation = head.apply(x) as tfNamespace.Tensor;
          core.skipUnneededFilterGradients([x]); // as visualizeFeature: the filter gradients are not needed work
          return tf.sum(tf.mul(tf.mean(activation, [1, 2]), mask));
        })(batch),
      );
    }
    return Promise.resolve(); // the caller's settle waits for the GPU
  };
  const [visualize, bare] = [() => visualizeFor(steps), () => bareFor(steps)];
  // Quick mode drops each side's first run (pipelines compile). Full mode keeps its single run, after
  // one step of each side: that compiles every pipeline both use (tfjs's model programs, which the side
  // run first would otherwise compile for the other, and webxai's kernels) in ~0.5 s, not a second run.
  if (!quick) {
    await msUntilSettled(() => visualizeFor(1), settle);
    await msUntilSettled(() => bareFor(1), settle);
  }
  const times = new RunRecorder(quick);
  const label = `${channels} channels of conv2, ${size}x${size}, ${steps} steps`;
  return {
    cases: [
      {
        name: `interleaved: visualizeFeature (${label}), bare forward+backward x ${steps}`,
        // One channel batch is one optimisation: elements/s = channels visualised per second.
        elements: channels,
        policy: quick ? { warmupRuns: 1, minRuns: 1, maxRuns: 1 } : { warmupRuns: 0, minRuns: runs, maxRuns: runs },
        run: async () => {
          times.record('visualize', await msUntilSettled(visualize, settle));
          times.record('bare', await msUntilSettled(bare, settle));
        },
        metrics: () => ({
          'visualizeFeature median ms': medianOf(times, 'visualize'),
          'bare forward+backward median ms': medianOf(times, 'bare'),
          'channels per second': (channels * 1000) / medianOf(times, 'visualize'),
          'visualize / bare': medianOf(times, 'visualize') / medianOf(times, 'bare'),
          'visualize / bare, median paired': medianPairedRatio(times.timed('visualize'), times.timed('bare')),
        }),
      },
    ],
    dispose() {
      if (times.timed('visualize').length > 0) {
        const [v, b] = [medianOf(times, 'visualize'), medianOf(times, 'bare')];
        const paired = medianPairedRatio(times.timed('visualize'), times.timed('bare'));
        console.log(
          [
            `features summary (tiny CNN ${size}x${size}x3, 8 filters; ${label}; medians of the timed runs):`,
            `  channels visualised per second = ${((channels * 1000) / v).toPrecision(3)} (${(v / 1000).toFixed(2)} s per batch of ${channels})`,
            `  visualizeFeature / bare forward+backward over the same ${steps} steps = ${(v / b).toFixed(3)}x (bound 1.15x: ${boundVerdict(v / b, 1.15)}; bare ${(b / 1000).toFixed(2)} s); median paired ratio ${paired.toFixed(3)}x over ${times.timed('visualize').length} runs`,
          ].join('\n'),
        );
      }
      tf.dispose([batch, mask]);
      testing.disposeWeights(weights);
      model.dispose();
    },
  };
}

/** visualizeFeature throughput and overhead over its bare forward + backward passes. */
export const featuresSuite: BenchSuite = {
  name: 'features',
  description:
    'feature visualisation: channels/s at 128x128, 5 runs of 64 steps (--quick: 4 steps), and the ratio to the bare forward+backward passes it needs',
  setup: setupFeatures,
};
