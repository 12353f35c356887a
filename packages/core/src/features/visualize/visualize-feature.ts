// SPDX-License-Identifier: Apache-2.0
// Activation maximisation (Erhan et al. 2009) with the regularisers of Olah, Mordvintsev & Schubert,
// "Feature Visualization" (Distill 2017): a decorrelated Fourier parametrisation with colour
// decorrelation, transformation robustness (random jitter, zoom and rotation per step and image),
// optional total-variation and L2 penalties. All images (one per unit) are one batch. One step:
//   image = sigmoid(colour(irfft2(scale * variables)))   WGSL FFT on webgpu, tfjs ops on cpu (parametrisation.ts)
//   seen  = affine-sample(image, random maps) at the model's input size   WGSL (transforms.ts)
//   g_seen = d sum_i objective_i(seen) / d seen                           one forward + backward pass
//   g_image = affine-sample-adjoint(g_seen)                          WGSL
//   g_vars = d (sum(image * g_image) - penalties(image)) / d variables    the same split (a vector-Jacobian product)
//   variables += Adam(g_vars)                                            one WGSL dispatch on webgpu, tfjs ops on cpu
// On webgpu the kernels before and after the model pass go in one queue submission each, the one after
// joining the next step's one before (gpu-step.ts).
import * as tf from '@tensorflow/tfjs';
import { InvalidOptionError, premixFits, randomNormal, throwIfAborted, UnsupportedModelError } from '@webxai/shaders';
import { normalFill } from '../../random/normal-fill.js';
import { currentPath } from '../../api/explainer.js';
import { checkOptionNames, type OptionNames } from '../../api/option-names.js';
import type { ExecutionPath } from '../../api/types.js';
import { inputGradient } from '../../interop/input-gradients.js';
import { kernelToTensor, tfjsDevice } from '../../interop/tfjs-webgpu.js';
import { adaptModel } from '../../model/adapt.js';
import type { ModelAdapter, ModelInput } from '../../model/types.js';
import { adamAscend, adamStart, adamStartKernel, type AdamState } from './adam.js';
import { fftVariableShape } from './fourier-fft.js';
import { gpuStep, PremixedSpectrum, StepMaps } from './gpu-step.js';
import type { PendingAscent } from './pending-ascent.js';
import { objectiveGradient, resolveObjective, type FeatureTarget, type Objective } from './objective.js';
import {
  disposeBasis,
  imageBasis,
  INIT_STD,
  renderImage,
  variablesGradient,
  variableShape,
  type ImageBasis,
  type Parametrisation,
} from './parametrisation.js';
import { DEFAULT_TRANSFORMS, stepTransforms, transformGradient, transformImages, type TransformOptions } from './transforms.js';

/** A progress report of {@link visualizeFeature}. */
export interface FeatureProgress {
  readonly done: number;
  readonly total: number;
  /** The images so far [count, h, w, c] in [0, 1]; owned by webxai, valid only during the callback. */
  readonly images: tf.Tensor4D;
  /** The latest step's objective per image. */
  readonly objective: number[];
}

/** Options of {@link visualizeFeature}. */
export interface VisualizeFeatureOptions extends FeatureTarget {
  /** Gradient-ascent steps (default 256). 0 returns the random start. */
  readonly steps?: number;
  /** Seed of the start and of the random transformations (default 0): the same seed repeats exactly. */
  readonly seed?: number;
  /** Size of the optimised images, `n` or `[h, w]` (default: the model's input size, else 128). */
  readonly size?: number | readonly [number, number];
  /** Adam's learning rate (default 0.05, as Lucid). */
  readonly learningRate?: number;
  /** 'fourier' (default: decorrelated spectrum + colour) or 'pixel'. */
  readonly parametrisation?: Parametrisation;
  /** Random transformations per step, or false for none (default jitter 8, zoom 0.95..1.05, rotate 10 degrees). */
  readonly transforms?: TransformOptions | false;
  /** Weight of the total-variation penalty (mean |neighbour difference| per image; default 0). */
  readonly tv?: number;
  /** Weight of the L2 penalty (mean (pixel - 0.5)^2 per image; default 0). */
  readonly l2?: number;
  /** Call onProgress every this many steps (default 16) and after the last. */
  readonly progressEvery?: number;
  readonly onProgress?: (progress: FeatureProgress) => void;
  /** Cancels between steps: the promise rejects with AbortedError and nothing leaks. */
  readonly signal?: AbortSignal;
  /** Applied to the images (in [0, 1]) before the model, e.g. scaling to the model's range. */
  readonly preprocess?: (x: tf.Tensor4D) => tf.Tensor4D;
  /** `[height, width, channels]` of a GraphModel input whose size is not fixed. */
  readonly inputShape?: readonly [number, number, number];
}

/** Every name {@link VisualizeFeatureOptions} has: a misspelt one is rejected, not ignored. */
export const VISUALIZE_FEATURE_OPTION_NAMES: OptionNames<VisualizeFeatureOptions> = {
  layer: true,
  channel: true,
  channels: true,
  neuron: true,
  classIndex: true,
  steps: true,
  seed: true,
  size: true,
  learningRate: true,
  parametrisation: true,
  transforms: true,
  tv: true,
  l2: true,
  progressEvery: true,
  onProgress: true,
  signal: true,
  preprocess: true,
  inputShape: true,
};

/** Result of {@link visualizeFeature}. */
export interface FeatureVisualization {
  /** One image per unit, [count, h, w, c] in [0, 1] (c = the model's 1 or 3 channels); caller disposes. */
  readonly images: tf.Tensor4D;
  /** `objective[step][i]`: image i's objective at each step (under that step's transformation). */
  readonly objective: number[][];
  /** Each image's objective on the final images, untransformed (resized to the input only). */
  readonly finalObjective: number[];
  /** The layer ('output' for classes) and the channel / class of each image. */
  readonly layer: string;
  readonly units: number[];
  readonly path: ExecutionPath;
  readonly backend: string;
  readonly timeMs: number;
}

interface Settings {
  readonly steps: number;
  readonly seed: number;
  readonly learningRate: number;
  readonly parametrisation: Parametrisation;
  readonly transforms: Required<TransformOptions> | false;
  readonly tv: number;
  readonly l2: number;
  readonly progressEvery: number;
}

function number(name: string, value: number | undefined, fallback: number, ok: (v: number) => boolean, rule: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !ok(value)) throw new InvalidOptionError(`${name} must be ${rule}, got ${String(value)}`);
  return value;
}

function settingsOf(options: VisualizeFeatureOptions): Settings {
  const int0 = (v: number) => Number.isInteger(v) && v >= 0;
  const nonNegative = (v: number) => Number.isFinite(v) && v >= 0;
  const p = options.parametrisation ?? 'fourier';
  if (p !== 'fourier' && p !== 'pixel') throw new InvalidOptionError(`parametrisation must be 'fourier' or 'pixel', got ${String(p)}`);
  let transforms: Settings['transforms'] = false;
  if (options.transforms !== false) {
    const t = { ...DEFAULT_TRANSFORMS, ...(options.transforms ?? {}) };
    number('transforms.jitter', t.jitter, 0, nonNegative, 'a number >= 0');
    number('transforms.rotate', t.rotate, 0, nonNegative, 'a number >= 0');
    const [lo, hi] = Array.isArray(t.scale) ? t.scale : [NaN, NaN];
    if (!(lo > 0 && hi >= lo))
      throw new InvalidOptionError(`transforms.scale must be [min, max] with 0 < min <= max, got ${String(t.scale)}`);
    transforms = t;
  }
  return {
    steps: number('steps', options.steps, 256, int0, 'an integer >= 0'),
    seed: number('seed', options.seed, 0, (v) => Number.isSafeInteger(v) && v >= 0, 'an integer >= 0'),
    learningRate: number('learningRate', options.learningRate, 0.05, (v) => Number.isFinite(v) && v > 0, 'a number > 0'),
    parametrisation: p,
    transforms,
    tv: number('tv', options.tv, 0, nonNegative, 'a number >= 0'),
    l2: number('l2', options.l2, 0, nonNegative, 'a number >= 0'),
    progressEvery: number('progressEvery', options.progressEvery, 16, (v) => Number.isInteger(v) && v >= 1, 'an integer >= 1'),
  };
}

/** The model's input [h, w, c] and the optimised images' [h, w]. */
function sizesOf(model: ModelAdapter, options: VisualizeFeatureOptions): { input: [number, number, number]; image: [number, number] } {
  const declared = model.inputShape ?? options.inputShape;
  const size = options.size;
  const image: [number, number] | undefined = size === undefined ? undefined : typeof size === 'number' ? [size, size] : [size[0], size[1]];
  if (image && !image.every((d) => Number.isInteger(d) && d >= 2))
    throw new InvalidOptionError(`size must be an integer >= 2 or [h, w] of them, got ${String(size)}`);
  const fallback = image ?? [128, 128];
  const input: [number, number, number] = [declared?.[0] ?? fallback[0], declared?.[1] ?? fallback[1], declared?.[2] ?? 3];
  if (input[2] !== 1 && input[2] !== 3)
    throw new UnsupportedModelError(`feature visualisation makes 1- or 3-channel images; the model takes ${input[2]} channels`);
  return { input, image: image ?? [input[0], input[1]] };
}

/** Penalties of the images, summed over the batch (each image's mean). */
function penalties(images: tf.Tensor4D, tv: number, l2: number): tf.Scalar {
  let total: tf.Scalar = tf.scalar(0);
  const [n, h, w, c] = images.shape;
  if (tv > 0) {
    const dy = tf.abs(tf.sub(tf.slice(images, [0, 1, 0, 0], [n, h - 1, w, c]), tf.slice(images, [0, 0, 0, 0], [n, h - 1, w, c])));
    const dx = tf.abs(tf.sub(tf.slice(images, [0, 0, 1, 0], [n, h, w - 1, c]), tf.slice(images, [0, 0, 0, 0], [n, h, w - 1, c])));
    total = tf.add(total, tf.mul(tf.add(tf.div(tf.sum(dy), dy.size / n), tf.div(tf.sum(dx), dx.size / n)), tv));
  }
  if (l2 > 0) total = tf.add(total, tf.mul(tf.div(tf.sum(tf.square(tf.sub(images, 0.5))), images.size / n), l2));
  return total;
}

/** One ascent step's gradient on the cpu path (the webgpu path's is gpu-step.ts); returns it and the objective per image (new tensors). */
async function ascend(
  variables: tf.Tensor,
  basis: ImageBasis,
  objective: Objective,
  maps: Float32Array<ArrayBuffer>,
  sizes: ReturnType<typeof sizesOf>,
  settings: Settings,
): Promise<{ gradient: tf.Tensor; value: tf.Tensor1D }> {
  const path = 'cpu';
  // Kept until the end: the hand-written VJP (variablesGradient) reads it instead of recomputing the image.
  const image = await renderImage(basis, variables);
  let seen: tf.Tensor4D;
  try {
    seen = await transformImages(image, maps, [sizes.input[0], sizes.input[1]], path);
  } catch (error) {
    image.dispose();
    throw error;
  }
  let pass: ReturnType<typeof objectiveGradient>;
  try {
    pass = objectiveGradient(objective, seen);
  } catch (error) {
    image.dispose();
    throw error;
  } finally {
    seen.dispose();
  }
  try {
    const imageGradient = await transformGradient(pass.gradient, maps, sizes.image, path).finally(() => pass.gradient.dispose());
    const penalised = settings.tv > 0 || settings.l2 > 0;
    const total = penalised ? tf.tidy(() => tf.sub<tf.Tensor4D>(imageGradient, penaltyGradientOf(settings)(image))) : imageGradient;
    const gradient = await variablesGradient(basis, image, total).finally(() =>
      tf.dispose(penalised ? [total, imageGradient] : [imageGradient]),
    );
    return { gradient, value: pass.value };
  } catch (error) {
    pass.value.dispose();
    throw error;
  } finally {
    image.dispose();
  }
}

/** One step on the cpu path: {@link ascend}, then Adam with tfjs ops (the old state disposed, not the variables). */
async function cpuStep(
  variables: tf.Tensor,
  state: AdamState,
  basis: ImageBasis,
  objective: Objective,
  maps: Float32Array<ArrayBuffer>,
  sizes: ReturnType<typeof sizesOf>,
  settings: Settings,
): Promise<{ x: tf.Tensor; state: AdamState; value: tf.Tensor1D }> {
  const { gradient, value } = await ascend(variables, basis, objective, maps, sizes, settings);
  const next = adamAscend(variables, gradient, state, settings.learningRate);
  gradient.dispose();
  return { ...next, value };
}

/** The gradient of {@link penalties} with respect to the images (tfjs ops; a new tensor). */
function penaltyGradientOf(settings: Settings): (image: tf.Tensor4D) => tf.Tensor4D {
  return (image) => inputGradient((im) => penalties(im, settings.tv, settings.l2), image);
}

/**
 * The start: N(0, INIT_STD^2) variables from the seeded normal stream. On webgpu the random-fill
 * kernel writes them straight into a tensor: bit-identical to normalFill (a scale by INIT_STD and
 * no shift round once either way), which fills a ~200k-value 'fourier' start in JS in ~15 ms per
 * run (normalRef took ~40-80 ms), plus its upload.
 */
async function startVariables(
  kind: Parametrisation,
  count: number,
  sizes: ReturnType<typeof sizesOf>,
  seed: number,
  path: ExecutionPath,
): Promise<tf.Tensor> {
  const shape = variableShape(kind, count, [sizes.image[0], sizes.image[1], sizes.input[2]]);
  const size = shape.reduce((a, b) => a * b);
  if (path === 'cpu') return tf.tensor(normalFill(seed, 0, size, 0, INIT_STD), shape);
  return kernelToTensor(shape, (output) => randomNormal(tfjsDevice(), { seed, count: size, output, std: INIT_STD }));
}

/** The start variables (startVariables) and Adam's zero state for them; on failure nothing leaks. */
async function startOptimisation(
  kind: Parametrisation,
  count: number,
  sizes: ReturnType<typeof sizesOf>,
  seed: number,
  path: ExecutionPath,
): Promise<{ variables: tf.Tensor; state: AdamState }> {
  const variables = await startVariables(kind, count, sizes, seed, path);
  try {
    return { variables, state: path === 'gpu' ? await adamStartKernel(variables) : adamStart(variables) };
  } catch (error) {
    variables.dispose();
    throw error;
  }
}

/**
 * Reads the per-step objective vectors and `last` (each [count]) in one readback (readRows); disposes
 * them all. Returns the steps' rows and `last` as numbers.
 */
async function readWithRows(values: readonly tf.Tensor1D[], last: tf.Tensor1D): Promise<{ rows: number[][]; last: number[] }> {
  const rows = await readRows([...values, last]);
  return { rows: rows.slice(0, -1), last: rows.at(-1)! };
}

/** Reads and disposes per-step objective vectors. */
async function readRows(values: readonly tf.Tensor1D[]): Promise<number[][]> {
  if (values.length === 0) return [];
  const stacked = tf.stack(values as tf.Tensor1D[]) as tf.Tensor2D;
  tf.dispose(values as tf.Tensor1D[]);
  const rows = await stacked.array();
  stacked.dispose();
  return rows;
}

/**
 * Visualises what units of a model respond to: one image per channel (or neuron, or class) by
 * gradient ascent on the GPU, with Olah et al.'s (2017) regularisers. All units form one batch.
 * The optimisation runs on tfjs's backend; the transformation kernels are WGSL on webgpu and their
 * CPU references otherwise (`path`).
 *
 * @example
 * const v = await visualizeFeature(model, { layer: 'conv2', channels: [0, 1, 2, 3], steps: 256, seed: 1 });
 * v.images;           // [4, 128, 128, 3] in [0, 1]; caller disposes
 * v.objective.at(-1); // [3.1, 2.7, 4.0, 1.9]: each channel's mean activation at the last step
 * @throws {UnknownLayerError} a missing or unusable layer (lists the valid ones).
 * @throws {InvalidOptionError} a channel / neuron / class out of range (names the valid range), bad options.
 * @throws {AbortedError} `signal` fired (between steps).
 */
export async function visualizeFeature(model: ModelInput, options: VisualizeFeatureOptions): Promise<FeatureVisualization> {
  const start = performance.now();
  if (typeof options !== 'object' || options === null)
    throw new InvalidOptionError('options must be an object naming a layer and channel(s), a neuron or classIndex');
  checkOptionNames('visualizeFeature', options, VISUALIZE_FEATURE_OPTION_NAMES);
  const settings = settingsOf(options);
  const adapter = adaptModel(model, options.preprocess ? { preprocess: options.preprocess } : {});
  if (!adapter.differentiable)
    throw new UnsupportedModelError(`feature visualisation needs gradients; a ${adapter.kind} model only predicts`);
  const sizes = sizesOf(adapter, options);
  const objective = resolveObjective(adapter, options, sizes.input, options.preprocess);
  const path = currentPath();
  // The webgpu path renders 'fourier' images with the WGSL FFT kernels; the cpu path with tfjs ops.
  const basis = imageBasis(settings.parametrisation, objective.count, [sizes.image[0], sizes.image[1], sizes.input[2]], {
    fft: path === 'gpu',
  });
  let { variables, state } = await startOptimisation(settings.parametrisation, objective.count, sizes, settings.seed, path).catch(
    (error: unknown) => {
      disposeBasis(basis);
      objective.dispose();
      throw error;
    },
  );
  const stepMaps = path === 'gpu' ? new StepMaps(objective.count) : undefined;
  const premix = path === 'gpu' ? premixedSpectrum(basis) : undefined;
  const values: tf.Tensor1D[] = [];
  const history: number[][] = [];
  // The last gpu step's ascent batch: the next step submits it with its own first kernels; anything
  // reading the variables before that submits it first (submitAscent).
  let ascent: PendingAscent | undefined;
  const submitAscent = async () => {
    const pending = ascent;
    ascent = undefined;
    await pending?.submit();
  };
  try {
    for (let step = 0; step < settings.steps; step++) {
      throwIfAborted(options.signal, 'visualizeFeature');
      const maps = stepTransforms(settings.transforms, settings.seed, step, objective.count, sizes.image, [sizes.input[0], sizes.input[1]]);
      const next =
        path === 'gpu'
          ? await gpuStep(
              variables,
              state,
              {
                basis,
                objective,
                maps,
                stepMaps: stepMaps!,
                input: [sizes.input[0], sizes.input[1]],
                image: [sizes.image[0], sizes.image[1], sizes.input[2]],
                learningRate: settings.learningRate,
                ...(settings.tv > 0 || settings.l2 > 0 ? { penaltyGradient: penaltyGradientOf(settings) } : {}),
                ...(premix ? { premix } : {}),
              },
              ascent,
            )
          : await cpuStep(variables, state, basis, objective, maps, sizes, settings);
      ascent = 'ascent' in next ? next.ascent : undefined;
      values.push(next.value);
      variables.dispose();
      variables = next.x;
      state = next.state;
      const done = step + 1;
      if (options.onProgress && (done % settings.progressEvery === 0 || done === settings.steps)) {
        await submitAscent();
        history.push(...(await readRows(values.splice(0))));
        const images = await renderImage(basis, variables);
        try {
          options.onProgress({ done, total: settings.steps, images, objective: history.at(-1)! });
        } finally {
          images.dispose();
        }
      }
    }
    // The final render and forward pass are queued behind the last step before anything is read, and
    // the steps' objectives come back with the final one in one readback: reading the rows first left
    // the GPU idle while the render and forward pass were recorded, then waited for a second readback.
    let finalObjective: number[];
    await submitAscent();
    const images = await renderImage(basis, variables);
    try {
      const finalValue = await evaluate(images, objective, sizes, path);
      const read = await readWithRows(values.splice(0), finalValue);
      history.push(...read.rows);
      finalObjective = read.last;
    } catch (error) {
      images.dispose();
      throw error;
    }
    // No wait for the queue here: the readback above came after every submission of the run (the
    // images are rendered before the forward pass that reads them), so the images are made.
    return {
      images,
      objective: history,
      finalObjective,
      layer: objective.layer,
      units: objective.units,
      path,
      backend: tf.getBackend(),
      timeMs: performance.now() - start,
    };
  } finally {
    ascent?.release();
    tf.dispose([variables, state.m, state.v, ...values]);
    stepMaps?.dispose();
    premix?.dispose();
    disposeBasis(basis);
    objective.dispose();
  }
}

/** The run's PremixedSpectrum when its steps' Adam can premix (an FFT basis of 3 channels, planes of whole quads), else undefined. */
function premixedSpectrum(basis: ImageBasis): PremixedSpectrum | undefined {
  const fft = basis.fft;
  return fft && premixFits(fft.shape.height, fft.shape.width, fft.shape.channels) ? new PremixedSpectrum(fftVariableShape(fft)) : undefined;
}

/** Each image's objective, untransformed (only resized to the model's input): a new tensor [count], not read. */
async function evaluate(
  images: tf.Tensor4D,
  objective: Objective,
  sizes: ReturnType<typeof sizesOf>,
  path: ExecutionPath,
): Promise<tf.Tensor1D> {
  // At the model's own size the untransformed map is the identity (maps [1, -0, 0, 0, 1, 0]: each
  // sample lands on its pixel with weight 1, its neighbours weigh 0), so affine-sample would only
  // copy the images, bit for bit (tested): they go to the model as they are, one dispatch fewer.
  if (images.shape[1] === sizes.input[0] && images.shape[2] === sizes.input[1]) return tf.tidy(() => objective.perImage(images));
  const maps = stepTransforms(false, 0, 0, objective.count, sizes.image, [sizes.input[0], sizes.input[1]]);
  const seen = await transformImages(images, maps, [sizes.input[0], sizes.input[1]], path);
  try {
    return tf.tidy(() => objective.perImage(seen));
  } finally {
    seen.dispose();
  }
}
