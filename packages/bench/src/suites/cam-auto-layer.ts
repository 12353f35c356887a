// SPDX-License-Identifier: Apache-2.0
// The channel-batched CAMs at MobileNetV2's automatically chosen layer (out_relu, 1,280 channels),
// each against the bare model passes it cannot avoid, interleaved in one case (issue 14):
// - Ablation-CAM vs one forward pass of the image and the bare tail passes (global average pool +
//   dense 1280x1000, the model's own layers) over 1,280 activations of the layer's shape, in the same
//   batches, twice: as users get it (out_relu's tail IS pooling + Dense, so Ablation-CAM takes its
//   pooled shortcut and runs no tail pass: the ratio is then what the shortcut saves, not overhead),
//   and on its general path (the same model with a linear layer after out_relu, which hides the
//   pooling + Dense tail: the ablated batches go through the tail as for any other tail);
// - Score-CAM vs the bare forward passes over 1 + 1,280 images, in the same batches.
// The image's own forward pass (activation and score; the browser bench counts it too) is on both
// sides since session 8.
// Score-CAM's 1,280 forward passes took ~7 min per side at 64x64 here (load ~16; 224x224 would take
// over an hour), so the input is 48x48 by default (out_relu is then 2x2; the layer and channel count
// are the auto layer's at any size) with one timed run after the warm-up. The Ablation-CAM pairs take
// ~1 s each, so they get ABLATION_RUNS timed runs (one run of the general path read 0.84x and 1.31x in
// two runs of session 46). XAI_CAM_AUTO_SIZE sets the size, XAI_CAM_AUTO_RUNS the timed runs (of
// Score-CAM; Ablation-CAM's are at least ABLATION_RUNS).
import type * as tfNamespace from '@tensorflow/tfjs';
import type { BenchCase, BenchContext, BenchSuite, RunPolicy, SuiteInstance } from '../harness.js';
import { envCount, median, medianOf, msUntilSettled, readTargetScoresInBatches, RunRecorder, webgpuTfjs } from './shared.js';

const ABLATION_BATCH = 32;
const SCORE_CAM_BATCH = 16;
const ABLATION_RUNS = 5;

async function setupCamAutoLayer(context: BenchContext): Promise<SuiteInstance> {
  const { tf, core, settle } = await webgpuTfjs(context);
  const testing = await import('@webxai/testing/models');
  const size = envCount('XAI_CAM_AUTO_SIZE', 48);
  const runs = envCount('XAI_CAM_AUTO_RUNS', 1);
  const model = testing.mobileNetV2({ size, classes: 1000, seed: 2 });
  const x = tf.randomUniform<tfNamespace.Rank.R4>([1, size, size, 3], 0, 1, 'float32', 7);
  const layers = core.listLayers(model);
  const auto = layers[layers.length - 1]!;
  const [, h, w, channels] = auto.outputShape as [null, number, number, number];
  const scores = model.predict(x) as tfNamespace.Tensor;
  const target = (await tf.argMax(scores, 1).data())[0]!;
  scores.dispose();

  // The tail as a user would run it: the model's own layers after the auto layer on a new input.
  const tailInput = tf.input({ shape: [h, w, channels] });
  const pooled = model.getLayer('global_average_pooling2d').apply(tailInput) as tfNamespace.SymbolicTensor;
  const tail = tf.model({ inputs: tailInput, outputs: model.getLayer('predictions').apply(pooled) as tfNamespace.SymbolicTensor });
  const activation = tf.tidy(() => {
    const probe = tf.model({ inputs: model.inputs, outputs: model.getLayer(auto.name).output });
    return probe.predict(x) as tfNamespace.Tensor4D;
  });
  const activations = tf.tile<tfNamespace.Tensor4D>(activation, [ABLATION_BATCH, 1, 1, 1]);
  // The same function, but at out_relu the tail is linear + pooling + Dense: Ablation-CAM's general path.
  const hidden = tf.layers
    .activation({ activation: 'linear', name: 'hides_the_pooled_tail' })
    .apply(model.getLayer(auto.name).output) as tfNamespace.SymbolicTensor;
  const generalModel = tf.model({
    inputs: model.inputs,
    outputs: model.getLayer('predictions').apply(model.getLayer('global_average_pooling2d').apply(hidden)) as tfNamespace.SymbolicTensor,
  });
  const images = tf.tile<tfNamespace.Tensor4D>(x, [SCORE_CAM_BATCH, 1, 1, 1]);

  /**
   * The passes a channel-batched CAM cannot avoid: one forward pass of the image (its activation and
   * score; the browser bench counts it too, `channels + 1` images), then the target scores of
   * `channels` rows through `forward` in batches of `full`'s size (the last one ragged), read back once.
   */
  const barePasses = (forward: (b: tfNamespace.Tensor4D) => tfNamespace.Tensor, full: tfNamespace.Tensor4D) =>
    readTargetScoresInBatches(tf, forward, full, channels, target, [
      tf.tidy(() => tf.slice(model.predict(x) as tfNamespace.Tensor, [0, target], [1, 1])),
    ]);

  // Ablation-CAM: a warm-up pair, dropped by `pairedRuns` (the first run compiles pipelines for each
  // batch shape). Score-CAM: its warm-up is ONE bare batch (`warmUp`: compiles tfjs's forward at the
  // batch shape; Score-CAM's own kernels compile in milliseconds on its first batch), not a whole pair:
  // each side is 1,280 forwards, and a warm-up pair took ~4 of the full mode's 30 minutes here.
  const pairedRuns = new RunRecorder();
  const keptRuns = new RunRecorder(false);
  const recorders = new Map<string, RunRecorder>();
  const explainers: { dispose(): void }[] = [];
  const explainersByLabel = new Map<string, { explain(x: tfNamespace.Tensor4D): Promise<unknown> }>();
  const pair = (
    label: string,
    method: 'ablation-cam' | 'score-cam',
    batchSize: number,
    bare: () => Promise<void>,
    bareLabel: string,
    warmUp?: () => Promise<void>,
    explained: tfNamespace.LayersModel = model,
  ): BenchCase => {
    const times = warmUp ? keptRuns : pairedRuns;
    recorders.set(label, times);
    const timed = async (name: string, work: () => Promise<void>) => times.record(name, await msUntilSettled(work, settle));
    const timedRuns = method === 'ablation-cam' ? Math.max(runs, ABLATION_RUNS) : runs;
    const policy: Partial<RunPolicy> = { warmupRuns: warmUp ? 0 : 1, minRuns: timedRuns, maxRuns: timedRuns, budgetMs: 0 };
    // The layer named: the general path's model lists its extra linear layer last (auto would pick it).
    const explainer = core.createExplainer(explained, { method, target, batchSize, layer: auto.name } as never);
    explainersByLabel.set(label, explainer);
    explainers.push(explainer);
    const explainOnce = async () => {
      const r = (await explainer.explain(x)) as unknown as { attribution: tfNamespace.Tensor; map: tfNamespace.Tensor };
      await r.attribution.data();
      tf.dispose([r.attribution, r.map]);
    };
    let run = 0;
    return {
      name: `interleaved: ${label} at ${auto.name} (auto, ${channels} channels, batches of ${batchSize}) vs ${bareLabel}, ${size}x${size}`,
      elements: channels,
      policy,
      run: async () => {
        if (warmUp && run === 0) await warmUp();
        let [b, m] = [0, 0];
        const sides = [async () => (b = await timed(`${label} bare`, bare)), async () => (m = await timed(label, explainOnce))];
        for (const side of run++ % 2 ? sides.reverse() : sides) await side();
        console.log(
          `  ${label}: bare ${(b / 1000).toFixed(2)} s, ${label} ${(m / 1000).toFixed(2)} s, ratio ${(m / b).toFixed(3)} (this run)`,
        );
      },
      metrics: () => summary(label),
    };
  };
  const summary = (label: string) => {
    const times = recorders.get(label)!;
    const [bareMs, methodMs] = [medianOf(times, `${label} bare`), medianOf(times, label)];
    // Median of each run's ratio (as the browser bench): load that drifts over the runs hits both sides of a run.
    const bares = times.timed(`${label} bare`);
    return { bareMs, methodMs, ratio: median(times.timed(label).map((ms, i) => ms / bares[i]!)) };
  };
  const labels = ['ablation-cam', 'ablation-cam general', 'score-cam'];
  const bareTails = () => barePasses((b) => tail.predict(b) as tfNamespace.Tensor, activations);
  const bareTailsLabel = `bare passes (a forward of the image + GAP + dense over ${channels} activations)`;
  const cases = [
    pair('ablation-cam', 'ablation-cam', ABLATION_BATCH, bareTails, `${bareTailsLabel}; its pooled shortcut runs no tail pass`),
    pair(
      'ablation-cam general',
      'ablation-cam',
      ABLATION_BATCH,
      bareTails,
      `${bareTailsLabel}; the general path (a linear layer after ${auto.name} hides the GAP + dense tail)`,
      undefined,
      generalModel,
    ),
    pair(
      'score-cam',
      'score-cam',
      SCORE_CAM_BATCH,
      () => barePasses((b) => model.predict(b) as tfNamespace.Tensor, images),
      `bare forward passes over ${channels} + 1 images`,
      async () => {
        const scores = model.predict(images) as tfNamespace.Tensor;
        await scores.data();
        scores.dispose();
      },
    ),
  ];
  /** How far the shortcut's map is from the general path's (both explained once more), relative to its peak; undefined if either case did not run. */
  const shortcutAgreement = async () => {
    const [shortcut, general] = [explainersByLabel.get('ablation-cam'), explainersByLabel.get('ablation-cam general')];
    if (!shortcut || !general || Number.isNaN(medianOf(recorders.get('ablation-cam general')!, 'ablation-cam general'))) return undefined;
    const maps: Float32Array[] = [];
    for (const explainer of [shortcut, general]) {
      const r = (await explainer.explain(x)) as { attribution: tfNamespace.Tensor; map: tfNamespace.Tensor };
      maps.push((await r.map.data()) as Float32Array);
      tf.dispose([r.attribution, r.map]);
    }
    const [a, b] = maps as [Float32Array, Float32Array];
    const peak = Math.max(...a.map(Math.abs));
    return Math.max(...a.map((v, i) => Math.abs(v - b[i]!))) / peak;
  };
  /** The suite's summary for the cases that ran, and the shortcut's agreement with the general path. */
  const summaryLines = async (ran: readonly string[]) => {
    const lines = [
      `cam-auto-layer summary (MobileNetV2 ${size}x${size}, ${auto.name} ${h}x${w}x${channels}; medians of the timed runs; warm-ups not timed):`,
      ...ran.map((label) => {
        const s = summary(label);
        return `  ${label}: ${(s.methodMs / 1000).toFixed(2)} s / bare ${(s.bareMs / 1000).toFixed(2)} s (medians); median of the runs' ratios ${s.ratio.toFixed(3)}x`;
      }),
      '  (ablation-cam: the pooled shortcut, no tail pass, vs the tail passes it replaces; ablation-cam general: the ablated batches through the tail vs the same bare passes)',
    ];
    const agreement = await shortcutAgreement();
    if (agreement) lines.push(`  ablation-cam shortcut vs general path, max |map difference| / map max: ${agreement.toExponential(2)}`);
    return lines;
  };
  return {
    cases,
    async dispose() {
      const ran = labels.filter((label) => !Number.isNaN(summary(label).bareMs));
      // A filter may have left every case out: then there is nothing to summarise or compare.
      if (ran.length > 0) console.log((await summaryLines(ran)).join('\n'));
      explainers.forEach((e) => e.dispose());
      tf.dispose([x, activation, activations, images]);
      model.dispose(); // generalModel shares its weights
    },
  };
}

/** Ablation-CAM and Score-CAM at MobileNetV2's auto layer (1,280 channels) vs their bare model passes, interleaved. */
export const camAutoLayerSuite: BenchSuite = {
  name: 'cam-auto-layer',
  fullOnly: true, // minutes: 1,280 forward passes per Score-CAM side (~20 min for the suite here)
  description:
    "Ablation-CAM vs bare (image forward + tail) passes and Score-CAM vs bare forward passes at MobileNetV2's auto layer (out_relu, 1,280 channels), interleaved; 48x48 by default (XAI_CAM_AUTO_SIZE)",
  setup: setupCamAutoLayer,
};
