// SPDX-License-Identifier: Apache-2.0
// The browser benchmark's cases: one explanation method each, with the bare tfjs passes it cannot
// avoid (forward passes over the perturbed images, or forward + backward passes over the gradient
// batch), so the page can time both interleaved and report their ratio; and feature visualisation
// with the forward + backward passes of its steps.
import type { FeatureUnits } from './feature-workload.js';
import type { TimelineRow } from './gpu-timeline.js';

/** The model passes a method needs at the least, run bare with tfjs. */
export interface BarePasses {
  /** 'forward': predict; 'gradient': forward + backward of the target score (tf.grad). */
  readonly kind: 'forward' | 'gradient';
  /** Images that go through the model. */
  readonly images: number;
  /** Images per call (webxai's default batch for the input size, unless the case sets one). */
  readonly batch: number;
  /**
   * Images through one extra forward pass the method's result needs besides `images` (IG's delta:
   * f(input) and f(baseline), one image each).
   */
  readonly extraForward?: number;
  /**
   * The sizes of the method's own model calls, replayed in this order instead of `images` in
   * batches of `batch` (which then are their sum and largest): set by the page for
   * {@link CountedForwards}.
   */
  readonly batches?: readonly number[];
}

/**
 * Forward passes whose number the method's run decides (anchors: its search draws until its
 * precision bound clears): the page counts the images the method sends through the model in an
 * explanation (the model's apply wrapped, browser/measure.ts) and the bare side replays those calls,
 * batch by batch, as {@link BarePasses} with `batches` (Node's perturbation suite replays an ONNX
 * method's batches the same way).
 */
export interface CountedForwards {
  readonly kind: 'counted-forward';
}

/** The bare passes in the order they run: `batches`, else `images` cut into calls of `batch`. */
export function callSizes(passes: BarePasses): readonly number[] {
  if (passes.batches) return passes.batches;
  return Array.from({ length: Math.ceil(passes.images / passes.batch) }, (_, i) =>
    Math.min(passes.batch, passes.images - i * passes.batch),
  );
}

/** The bare side of a {@link CountedForwards} case: the model calls the method made, replayed. */
export function countedBare(batches: readonly number[]): BarePasses {
  return { kind: 'forward', images: batches.reduce((sum, n) => sum + n, 0), batch: Math.max(0, ...batches), batches };
}

/**
 * The model a case explains: the shipped MNIST CNN (28x28x1, one digit) or the real pretrained
 * MobileNetV2 of packages/models/fixtures (224x224x3, chelsea the cat).
 */
export type BrowserModel = 'mnist-cnn' | 'mobilenet-v2';

/**
 * Issue 14's gpu/bare goals: a method at most 1.15x its unavoidable model passes; where the goal is
 * non-model work of at most 10% (perturbation methods, the metrics that only run forwards), 1.1.
 * The metrics that explain again (max-sensitivity, cascading randomisation) have gradient passes on
 * their bare side, as a method, and a method's goal.
 */
export const METHOD_GOAL = 1.15;
export const NON_MODEL_GOAL = 1.1;

/** One method with its options and bare passes. */
export interface BrowserCase {
  readonly name: string;
  readonly model: BrowserModel;
  readonly family: 'gradient' | 'cam' | 'perturbation';
  /** The row's gpu/bare goal: {@link METHOD_GOAL}, or {@link NON_MODEL_GOAL} for a perturbation method. */
  readonly goal: number;
  /** Options of createExplainer (the page adds the target, and `baselines` when `background` is set). */
  readonly options: Readonly<Record<string, unknown>>;
  readonly bare: BarePasses | CountedForwards;
  /**
   * Images of the baseline distribution (expected-gradients' `baselines`): the page passes MNIST
   * samples 1..n (not the explained image, sample 0); options hold no tensors.
   */
  readonly background?: number;
}

/** webxai's default images per model call for an input of this size (core's defaultBatchSize). */
export function defaultBatch(height: number, width: number, channels: number): number {
  return Math.max(1, Math.min(64, Math.floor((64 * 2 ** 20) / (height * width * channels * 4))));
}

/**
 * The MNIST CNN cases (28x28x1; conv3 has `camChannels` channels), every method of core's registry.
 * `quick` shrinks the sample counts (the ratios, not the absolute times, are what the table is for).
 * The bare sides follow the Node suites (suites/gradient.ts, cam.ts, perturbation.ts): one
 * forward + backward of the image for the single-gradient methods, of every path point / sample in
 * the method's batch for the path methods, one per step of 1 image for guided-ig (each step needs
 * the last one's gradient), the forward passes over the perturbed images (+ the image) for the
 * perturbation methods.
 */
export function mnistCases(quick: boolean, camChannels: number, batchSize?: number): BrowserCase[] {
  const batch = batchSize ?? defaultBatch(28, 28, 1);
  const q = (full: number, small: number) => (quick ? small : full);
  const steps = q(32, 16);
  const occlusionWindows = ((28 - 4) / 2 + 1) ** 2;
  const forward = (images: number): BarePasses => ({ kind: 'forward', images, batch });
  const gradients = (images: number, perCall = images): BarePasses => ({ kind: 'gradient', images, batch: perCall });
  const oneGradient = gradients(1);
  /** The options of a method that batches its forward passes: `--batch` sets its batchSize too. */
  const batched = (options: Record<string, unknown>) => (batchSize === undefined ? options : { ...options, batchSize });
  return (
    [
      { name: 'saliency', family: 'gradient', options: { method: 'saliency' }, bare: oneGradient },
      { name: 'gradient-x-input', family: 'gradient', options: { method: 'gradient-x-input' }, bare: oneGradient },
      {
        name: `integrated-gradients ${steps} steps`,
        family: 'gradient',
        options: { method: 'integrated-gradients', steps, batchSize: steps },
        bare: { ...gradients(steps), extraForward: 2 },
      },
      {
        name: `smoothgrad ${steps} samples`,
        family: 'gradient',
        options: { method: 'smoothgrad', samples: steps, batchSize: steps, seed: 1 },
        bare: gradients(steps),
      },
      {
        name: `expected-gradients ${steps} samples`,
        family: 'gradient',
        options: { method: 'expected-gradients', samples: steps, batchSize: steps, seed: 1 },
        background: 4,
        bare: gradients(steps),
      },
      {
        name: `blur-ig ${steps} steps`,
        family: 'gradient',
        options: { method: 'blur-ig', steps, batchSize: steps },
        bare: gradients(steps),
      },
      { name: `guided-ig ${steps} steps`, family: 'gradient', options: { method: 'guided-ig', steps }, bare: gradients(steps, 1) },
      { name: 'guided-backprop', family: 'gradient', options: { method: 'guided-backprop' }, bare: oneGradient },
      { name: 'deconvnet', family: 'gradient', options: { method: 'deconvnet' }, bare: oneGradient },
      // Two passes of the image: guided backprop's (guided ReLU gradients) and Grad-CAM's (plain ones);
      // with tfjs's tf.grad each backward rule needs a forward pass of its own.
      { name: 'guided-grad-cam', family: 'gradient', options: { method: 'guided-grad-cam' }, bare: gradients(2, 1) },
      { name: 'grad-cam', family: 'cam', options: { method: 'grad-cam' }, bare: oneGradient },
      { name: 'grad-cam++', family: 'cam', options: { method: 'grad-cam++' }, bare: oneGradient },
      { name: 'xgrad-cam', family: 'cam', options: { method: 'xgrad-cam' }, bare: oneGradient },
      { name: 'hires-cam', family: 'cam', options: { method: 'hires-cam' }, bare: oneGradient },
      { name: 'layer-cam', family: 'cam', options: { method: 'layer-cam' }, bare: oneGradient },
      { name: 'eigen-cam', family: 'cam', options: { method: 'eigen-cam' }, bare: { kind: 'forward', images: 1, batch: 1 } },
      { name: 'score-cam', family: 'cam', options: batched({ method: 'score-cam' }), bare: forward(camChannels + 1) },
      { name: 'ablation-cam', family: 'cam', options: batched({ method: 'ablation-cam' }), bare: forward(camChannels + 1) },
      {
        name: `occlusion 4x4 stride 2 (${occlusionWindows} windows)`,
        family: 'perturbation',
        options: batched({ method: 'occlusion', window: 4, stride: 2 }),
        bare: forward(occlusionWindows + 1),
      },
      {
        name: `rise ${q(1000, 200)} masks`,
        family: 'perturbation',
        options: batched({ method: 'rise', masks: q(1000, 200), seed: 1 }),
        bare: forward(q(1000, 200) + 1),
      },
      {
        name: `lime ${q(500, 100)} samples`,
        family: 'perturbation',
        options: batched({ method: 'lime', samples: q(500, 100), seed: 1 }),
        bare: forward(q(500, 100) + 1),
      },
      {
        name: `kernel-shap ${q(500, 100)} samples`,
        family: 'perturbation',
        options: batched({ method: 'kernel-shap', samples: q(500, 100), seed: 1 }),
        bare: forward(q(500, 100) + 1),
      },
      {
        name: `partition-shap maxEvals ${q(500, 100)}`,
        family: 'perturbation',
        options: batched({ method: 'partition-shap', maxEvals: q(500, 100) }),
        bare: forward(q(500, 100) + 1),
      },
      // XRAI: IG from a black and from a white baseline (2 x steps path points, a batch of steps each;
      // no delta) and one forward of the image for its class check; the segmentation runs on the CPU.
      {
        name: `xrai (IG ${steps} steps x 2 baselines)`,
        family: 'perturbation',
        options: { method: 'xrai', integratedGradients: { steps, batchSize: steps } },
        bare: { ...gradients(2 * steps, steps), extraForward: 1 },
      },
      {
        name: 'anchors (alibi defaults)',
        family: 'perturbation',
        options: batched({ method: 'anchors', seed: 1 }),
        bare: { kind: 'counted-forward' },
      },
    ] satisfies Omit<BrowserCase, 'model' | 'goal'>[]
  ).map((c) => ({ ...c, model: 'mnist-cnn', goal: c.family === 'perturbation' ? NON_MODEL_GOAL : METHOD_GOAL }));
}

/**
 * The single-gradient methods on MobileNetV2 at 224x224x3 (whether the GPU path wins at a real input
 * size where it loses at 28x28). One forward + backward pass each; minutes in all on a software GPU,
 * so only in the full run or when the filter names them (`--filter mobilenet`).
 */
export function mobilenetCases(): BrowserCase[] {
  const bare: BarePasses = { kind: 'gradient', images: 1, batch: 1 };
  return (['saliency', 'grad-cam', 'grad-cam++'] as const).map((method) => ({
    name: `mobilenet-v2 ${method}`,
    model: 'mobilenet-v2',
    family: method === 'saliency' ? 'gradient' : 'cam',
    goal: METHOD_GOAL,
    options: { method },
    bare,
  }));
}

/**
 * Feature visualisation on the tiny CNN (8 filters, seeded; the Node features suite's model):
 * visualizeFeature of channels 0 .. n-1 of conv2 against its bare forward + backward passes
 * (feature-workload.ts), timed like the methods. At 128 the FFTs have two stages (16 x 8): one
 * dispatch per stage on SwiftShader, one fft-whole dispatch on lavapipe, one fft-pair dispatch on
 * hardware GPUs (fftStageFusion in core).
 */
export interface FeatureBrowserCase {
  readonly name: string;
  readonly family: 'features';
  /** The row's gpu/bare goal: {@link METHOD_GOAL} (visualizeFeature against its own model + objective passes). */
  readonly goal: number;
  /** The tiny CNN's input side (and the images'). */
  readonly size: number;
  readonly units: FeatureUnits;
  readonly steps: number;
  /** What the row's passes column shows: a gradient pass over the channel batch per step, and one forward (feature-workload.ts). */
  readonly bare: BarePasses;
}

/**
 * The feature case, sized for about a minute on SwiftShader (the rounds on webgpu and on cpu; the page
 * takes ~25 s to start): 1 channel at 128x128, 8 steps
 * (--quick: 64x64, 2 steps). 4 channels and 16 steps took 340 s here (load 6); 2 channels and 4 steps
 * 62-86 s, but a visualizeFeature call of 2 channels has ~85 ms of fixed cost on SwiftShader (steps: 0
 * took 135 ms, ~50 of it the final forward the bare side has too), 21 ms a step over 4 steps.
 */
export function featureCases(quick: boolean): FeatureBrowserCase[] {
  const [size, channels, steps] = quick ? [64, 1, 2] : [128, 1, 8];
  return [
    {
      name: `visualizeFeature ${size}x${size}, ${channels} ch, ${steps} steps`,
      family: 'features',
      goal: METHOD_GOAL,
      size,
      units: { layer: 'conv2', channels },
      steps,
      bare: { kind: 'gradient', images: channels * steps, batch: channels, extraForward: channels },
    },
  ];
}

/**
 * One call of a metrics case: an `evaluate` metric, or core's `cascadingRandomisation` (the sanity
 * check), with its options (target and batchSize come from the case).
 */
export interface MetricCall {
  readonly metric:
    'deletion' | 'insertion' | 'road' | 'infidelity' | 'faithfulness-correlation' | 'max-sensitivity' | 'cascading-randomisation';
  readonly options?: Readonly<Record<string, unknown>>;
}

/**
 * Metrics (core's `evaluate`) of a seeded random map on the MNIST CNN against their bare forward
 * passes, as the Node metrics suites pair them. Deletion + insertion: the 2 x steps perturbed
 * images, in the calls `evaluate` makes (each metric's steps cut into batches of webxai's default),
 * and each metric's forward of the input (its curve's unperturbed end). ROAD, infidelity and
 * faithfulness correlation: the model calls one run made, replayed ({@link CountedForwards}).
 */
export interface MetricBrowserCase {
  readonly name: string;
  readonly family: 'metrics';
  /** The row's gpu/bare goal: {@link NON_MODEL_GOAL}, or {@link METHOD_GOAL} for the metrics that explain again. */
  readonly goal: number;
  readonly calls: readonly MetricCall[];
  /** evaluate's batchSize (webxai's default for 28x28x1 unless --batch sets one). */
  readonly batch: number;
  readonly bare: BarePasses | CountedForwards;
}

/**
 * The metrics cases: deletion + insertion of 100 steps a curve (--quick 50), ROAD, infidelity,
 * faithfulness correlation (20 runs), and max-sensitivity re-explaining with IG 16 steps 10 times
 * (--quick 4): its bare side is the gradient passes of those explanations (one call of 16 each),
 * their forwards of input and baseline and the forward of the image that resolves the target.
 */
export function metricCases(quick: boolean, batchSize?: number): MetricBrowserCase[] {
  const steps = quick ? 50 : 100;
  const batch = batchSize ?? defaultBatch(28, 28, 1);
  const oneCurve = callSizes({ kind: 'forward', images: steps, batch });
  const counted = (metric: MetricCall['metric'], options?: MetricCall['options']): MetricBrowserCase => ({
    name: metric,
    family: 'metrics',
    goal: NON_MODEL_GOAL,
    calls: [{ metric, ...(options && { options }) }],
    batch,
    bare: { kind: 'counted-forward' },
  });
  return [
    {
      name: `deletion + insertion ${steps} steps`,
      family: 'metrics',
      goal: NON_MODEL_GOAL,
      calls: [
        { metric: 'deletion', options: { steps } },
        { metric: 'insertion', options: { steps } },
      ],
      batch,
      bare: { kind: 'forward', images: 2 * steps, batch, extraForward: 2, batches: [...oneCurve, ...oneCurve] },
    },
    counted('road'),
    counted('infidelity'),
    counted('faithfulness-correlation', { runs: 20 }),
    maxSensitivityCase(quick ? 4 : 10, batch),
    cascadingRandomisationCase(batch),
  ];
}

/** The IG steps of max-sensitivity's re-explanations in the browser bench. */
const SENSITIVITY_IG_STEPS = 16;

/** Max-sensitivity re-explaining with IG of {@link SENSITIVITY_IG_STEPS} steps `samples` times. */
function maxSensitivityCase(samples: number, batch: number): MetricBrowserCase {
  const steps = SENSITIVITY_IG_STEPS;
  return {
    name: `max-sensitivity (IG ${steps} steps x ${samples} samples)`,
    family: 'metrics',
    goal: METHOD_GOAL,
    calls: [{ metric: 'max-sensitivity', options: { explain: { method: 'integrated-gradients', steps, batchSize: steps }, samples } }],
    batch,
    bare: { kind: 'gradient', images: samples * steps, batch: steps, extraForward: 2 * samples + 1 },
  };
}

/** The weighted layers of the MNIST CNN, which cascading randomisation re-draws one by one. */
const MNIST_CNN_WEIGHTED_LAYERS = 4;

/**
 * Cascading randomisation with IG of {@link SENSITIVITY_IG_STEPS} steps on the MNIST CNN: its bare side
 * is the explanations it runs (the original map and one per re-drawn layer, a gradient call of the
 * steps each; the check keeps only the maps, so no IG end points), the forward that resolves the
 * target and each re-drawn copy's forward of the input (its scores' check), as one call.
 * The table's model-images column counts the passes through the user's model only: the re-drawn
 * copies' passes are not counted there.
 */
function cascadingRandomisationCase(batch: number): MetricBrowserCase {
  const [steps, explains] = [SENSITIVITY_IG_STEPS, MNIST_CNN_WEIGHTED_LAYERS + 1];
  return {
    name: `cascading randomisation (IG ${steps} steps, ${MNIST_CNN_WEIGHTED_LAYERS} layers)`,
    family: 'metrics',
    goal: METHOD_GOAL,
    calls: [{ metric: 'cascading-randomisation', options: { explain: { method: 'integrated-gradients', steps, batchSize: steps } } }],
    batch,
    bare: { kind: 'gradient', images: explains * steps, batch: steps, extraForward: 1 + MNIST_CNN_WEIGHTED_LAYERS },
  };
}

/** One row of the browser table (times are medians of the timed rounds, in ms). */
export interface BrowserRow {
  readonly name: string;
  readonly family: BrowserCase['family'] | FeatureBrowserCase['family'] | MetricBrowserCase['family'];
  /** The case's gpu/bare goal ({@link METHOD_GOAL} or {@link NON_MODEL_GOAL}), which `gpuRatio` is read against. */
  readonly goal: number;
  /** The bare passes as run (a {@link CountedForwards} case's: the calls counted on webgpu). */
  readonly bare: BarePasses;
  /**
   * Images one GPU-path explanation sent through the model (forward or gradient passes; the model's
   * apply counted, browser/measure.ts): beside `bare`, whether the bare side covers the method's passes.
   */
  readonly methodImages?: number;
  readonly rounds: number;
  readonly bareGpuMs: number;
  readonly gpuMs: number;
  /** Median over the rounds of method ms / bare ms of the same round: the method's cost over its unavoidable model passes (goal: `goal`). */
  readonly gpuRatio: number;
  /**
   * The 95% interval of that median (median.ts's medianInterval over the per-round ratios); absent
   * below 6 rounds. A bound inside it is one this run cannot tell the row from.
   */
  readonly gpuRatioInterval?: readonly [number, number];
  readonly bareCpuMs: number;
  readonly cpuMs: number;
  /**
   * GPU path ms / CPU path ms: above 1 means the GPU path is slower than webxai's own CPU path. The
   * median over `blocks` alternating blocks of each backend's rounds (the ratio of their medians).
   */
  readonly gpuOverCpu: number;
  /** Blocks of webgpu rounds, each followed by a block of cpu rounds (several for short rows). */
  readonly blocks: number;
  /** WebGPU calls during one GPU-path explanation (submits, readbacks, buffers, bind groups). */
  readonly gpuCalls: Readonly<Record<string, number>>;
  /** The same calls during one run of the bare passes. */
  readonly bareCalls: Readonly<Record<string, number>>;
}

/** One row of the `<xai-heatmap>` table: a stream of frames drawn by one path. */
export interface HeatmapRow {
  readonly name: string;
  /** Map size (width = height). */
  readonly size: number;
  readonly frames: number;
  /** Median over the timed rounds of frames / seconds for the whole stream (its last read-out included). */
  readonly drawsPerSecond: number;
  /** GPUBuffer.mapAsync calls per frame (each a GPU-to-CPU readback) the drawing waits for. */
  readonly readbacksPerDraw: number;
  /** The element's asynchronous read-outs per frame (mapAsync too, but nothing waits for them; at most one in flight). */
  readonly asyncReadoutsPerDraw: number;
  readonly submitsPerDraw: number;
}

/** One row of the `<xai-explainer>` table: a run of explanations of one digit, one class after another. */
export interface ExplainerRow {
  readonly name: string;
  readonly explanations: number;
  /** Median over the timed rounds of explanations / seconds (each one drawn and its legend numbers arrived). */
  readonly explanationsPerSecond: number;
  /** GPUBuffer.mapAsync calls per explanation that something waits for (the method's own and the element's). */
  readonly readbacksPerExplanation: number;
  /** `<xai-heatmap>`'s asynchronous read-outs per explanation (nothing waits for them to draw). */
  readonly asyncReadoutsPerExplanation: number;
  readonly submitsPerExplanation: number;
}

/** The profile row that holds a pass's wall time (run + readback; left out of the per-kernel totals). */
export const WALL_TIME_ROW = '(wall time of the pass, incl. readback)';

/** The profile row that holds the JavaScript time to issue a pass (before its readback is asked for). */
export const RECORD_TIME_ROW = '(of which: JavaScript issuing the pass)';

/** Rows that time whole passes, left out of the per-kernel totals. */
export const PASS_TIME_ROWS: readonly string[] = [WALL_TIME_ROW, RECORD_TIME_ROW];

/** One row of the per-kernel profile: one tfjs kernel (with its input shapes) of one pass. */
export interface ProfileRow {
  /** 'forward' or 'forward+backward'. */
  readonly pass: string;
  readonly batch: number;
  /** Kernel name and input shapes. */
  readonly kernel: string;
  /** Median kernel time on webgpu (timestamp queries) and on cpu (wall time), in ms. */
  readonly gpuMs: number;
  readonly cpuMs: number;
}

/** One row of the round-trip table: a submit and a wait for a readback. */
export interface RoundTripRow {
  readonly name: string;
  readonly runs: number;
  readonly medianMs: number;
}

/** What the page leaves on `window.benchResult`. */
export interface BrowserResult {
  readonly adapter: string;
  readonly userAgent: string;
  readonly rows: BrowserRow[];
  /** `<xai-heatmap>` draw rates (when the filter names "heatmap"). */
  readonly heatmapRows?: HeatmapRow[];
  /** `<xai-explainer>` explanation rates (when the filter names "explainer"). */
  readonly explainerRows?: ExplainerRow[];
  /** Per-kernel times of one MNIST pass (when the filter is "profile"). */
  readonly profileRows?: ProfileRow[];
  /** GPU-to-CPU round trips (when the filter is "roundtrip"). */
  readonly roundTripRows?: RoundTripRow[];
  /** Per-kernel GPU times of the feature case's runs (when the filter is "timeline"). */
  readonly timelineRows?: TimelineRow[];
  readonly error?: string;
}
