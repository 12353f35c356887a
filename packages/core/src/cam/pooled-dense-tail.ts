// SPDX-License-Identifier: Apache-2.0
// Ablation-CAM's shortcut for a tail that is exactly global average pooling + one Dense layer (the
// classifier head of MobileNet, ResNet, EfficientNet at their last conv layer). Ablating channel c
// (every position set to v) only changes the pooled vector's entry c, from p[c] to v, so the
// Dense's pre-activation becomes z + (v - p[c]) * W[c, :] with z = p W + b the unablated one: one
// rank-1 update per channel instead of writing and pooling `channels` ablated activations and a
// `channels x channels x classes` matmul. Same numbers up to float rounding; the general path
// (ablated batches through the tail) serves every other tail.
import * as tf from '@tensorflow/tfjs';
import { pooledAblationWeightsFor, runKernelSync } from '@webxai/shaders';
import { tfjsDevice } from '../interop/tfjs-webgpu.js';
import { streamToNewTensors } from '../interop/webgpu-kernel-backend.js';
import { checkTargetClass } from '../api/targets.js';
import { layersProgram, type Step } from '../model/split/layers-program.js';
import type { ModelSplit } from '../model/split/types.js';
import type { ModelAdapter } from '../model/types.js';
import { ownArgmax, type ChooseClasses } from './evidence.js';

/** The tail `activation(GAP(a) W + b)`, with the Dense layer's own variables (not owned: never dispose them). */
export interface PooledDenseTail {
  /** `[channels, classes]`. */
  readonly kernel: tf.Tensor2D;
  readonly bias: tf.Tensor1D | undefined;
  /** The Dense layer's activation on `[rows, classes]`; undefined when linear. */
  readonly activate: ((x: tf.Tensor2D) => tf.Tensor2D) | undefined;
}

const known = new WeakMap<ModelSplit, PooledDenseTail | null>();

/**
 * The split's tail as GAP + Dense when the model's output is provably `Dense(GlobalAveragePooling2D(layer))`
 * (a LayersModel, channels-last pooling without keepDims, the Dense reading the pooled vector alone, through
 * Dropout layers or not);
 * undefined otherwise (then the tail must run). Cached per split.
 */
export function pooledDenseTail(model: ModelAdapter, split: ModelSplit): PooledDenseTail | undefined {
  let tail = known.get(split);
  if (tail === undefined) known.set(split, (tail = findPooledDenseTail(model, split) ?? null));
  return tail ?? undefined;
}

function findPooledDenseTail(model: ModelAdapter, split: ModelSplit): PooledDenseTail | undefined {
  if (model.kind !== 'layers' || !(model.source instanceof tf.LayersModel)) return undefined;
  const program = layersProgram(model.source);
  const key = program.layers.find((l) => l.name === split.layer.name)?.key;
  const dense = program.producer.get(program.outputKey);
  const pool = dense ? pastDropouts(program.producer, dense) : undefined;
  if (!key || !dense || !pool || !isPooling(pool, key) || dense.layer.getClassName() !== 'Dense') return undefined;
  const layer = dense.layer as unknown as tf.layers.Layer;
  const config = layer.getConfig();
  const [kernel, bias] = layer.getWeights() as [tf.Tensor2D, tf.Tensor1D | undefined];
  if (kernel.rank !== 2 || kernel.shape[0] !== split.layer.outputShape[3]) return undefined;
  const activation = typeof config.activation === 'string' ? config.activation : undefined;
  if (activation === undefined) return undefined;
  if (activation === 'linear') return { kernel, bias: config.useBias ? bias : undefined, activate: undefined };
  // The same activation the Dense layer deserialised from its config; one it does not know keeps the general path.
  let activationLayer: tf.layers.Layer;
  try {
    activationLayer = tf.layers.activation({ activation: activation as never });
  } catch {
    return undefined;
  }
  return { kernel, bias: config.useBias ? bias : undefined, activate: (x) => activationLayer.apply(x) as tf.Tensor2D };
}

/**
 * The step producing `step`'s single input, past Dropout layers (identity at inference, as the split
 * runs them: EfficientNet's top_dropout sits between its pooling and its Dense); undefined for several inputs.
 */
function pastDropouts(producer: ReadonlyMap<string, Step>, step: Step): Step | undefined {
  let input = step.inputs.length === 1 ? producer.get(step.inputs[0]!) : undefined;
  while (input?.layer.getClassName() === 'Dropout' && input.inputs.length === 1) input = producer.get(input.inputs[0]!);
  return input;
}

/** A channels-last global average pooling of exactly `key` (keepDims off: the Dense then reads `[n, channels]`). */
function isPooling(step: Step, key: string): boolean {
  if (step.layer.getClassName() !== 'GlobalAveragePooling2D' || step.inputs.length !== 1 || step.inputs[0] !== key) return false;
  const config = (step.layer as unknown as tf.layers.Layer).getConfig();
  return config.dataFormat === 'channelsLast' && !config.keepDims;
}

/**
 * The target score of image `image` with each channel in turn ablated to `value` (a number or a `[1]`
 * tensor, left on the device), `[channels]`: `activation(z + (value - p[c]) W[c, :])[target]`, p the
 * image's pooled activation. Leaves no tensors but the result.
 */
export function pooledDenseAblatedScores(
  tail: PooledDenseTail,
  activation: tf.Tensor4D,
  image: number,
  target: number | tf.Tensor1D,
  value: number | tf.Tensor1D,
): tf.Tensor1D {
  return tf.tidy(() => {
    const { kernel, bias, activate } = tail;
    const [, h, w, channels] = activation.shape;
    const pooled = tf.mean<tf.Tensor2D>(tf.slice(activation, [image, 0, 0, 0], [1, h, w, channels]), [1, 2]); // [1, k]
    const shift = tf.reshape(tf.sub(value, pooled), [channels, 1]); // v - p[c]
    if (!activate) {
      // Linear: only the target's column of the kernel matters.
      const column = targetColumn(kernel, target);
      let z = tf.matMul(pooled, column); // [1, 1]
      if (bias) z = tf.add(z, typeof target === 'number' ? tf.slice(bias, [target], [1]) : tf.gather(bias, target));
      return tf.reshape<tf.Rank.R1>(tf.add(z, tf.mul(shift, column)), [channels]);
    }
    let z: tf.Tensor2D = tf.matMul(pooled, kernel); // [1, classes]
    if (bias) z = tf.add(z, bias);
    const scores = activate(tf.add<tf.Tensor2D>(z, tf.mul(shift, kernel))); // [k, classes]
    return tf.reshape<tf.Rank.R1>(targetColumn(scores, target), [channels]);
  });
}

/**
 * Column `target` of `m` as `[rows, 1]`: a slice for a class known on the host, a gather for one
 * still on the GPU (`[1]` int32; the same values, copied).
 */
function targetColumn(m: tf.Tensor2D, target: number | tf.Tensor1D): tf.Tensor2D {
  return typeof target === 'number' ? tf.slice(m, [0, target], [m.shape[0], 1]) : tf.gather(m, target, 1);
}

/**
 * Ablation-CAM's weights `[n, k]`, (score - ablated) / score, for a LINEAR tail (`activate`
 * undefined), in one pooled-ablation-weights dispatch recorded into tfjs's stream (webgpu only): the
 * same quantities as {@link pooledDenseAblatedScores} plus the relative drop, which as tfjs ops took
 * ~17 small dispatches per image. `targets` is `[n]` int32 on the GPU. Inputs are not disposed.
 */
export async function pooledDenseAblationWeights(
  tail: PooledDenseTail,
  activation: tf.Tensor4D,
  scores: tf.Tensor2D,
  targets: tf.Tensor1D,
): Promise<tf.Tensor2D> {
  const [images, h, w, channels] = activation.shape;
  const { kernel, bias } = tail;
  const params = { images, positions: h * w, channels, classes: kernel.shape[1] };
  const reads = [activation, kernel, scores, targets, ...(bias ? [bias] : [])];
  const [weights] = await streamToNewTensors([[images, channels]], reads, ([out], buffer, sink) =>
    runKernelSync(
      tfjsDevice(),
      pooledAblationWeightsFor(bias !== undefined),
      {
        params,
        act: buffer(activation),
        kernel: buffer(kernel),
        // Without a bias any storage buffer fills the binding (HAS_BIAS false: never read).
        bias: buffer(bias ?? kernel),
        scores: buffer(scores),
        targets: buffer(targets),
        weights: out!,
      },
      sink,
    ),
  );
  return weights as tf.Tensor2D;
}

/** The scores `GAP(activation) W + b` as the Dense layer computes them (fused matMul of the pooled activation, with its bias). */
function denseScores({ kernel, bias }: PooledDenseTail, activation: tf.Tensor4D): tf.Tensor2D {
  const pooled = tf.mean<tf.Tensor2D>(activation, [1, 2]);
  return tf.fused.matMul({ a: pooled, b: kernel, ...(bias && { bias }) }) as tf.Tensor2D;
}

/**
 * A gradient CAM's pass for a LINEAR GAP + Dense tail (`tail.activate` undefined) without tfjs's tape:
 * the activation from the split's head, the scores as the Dense layer computes them (fused matMul of
 * the pooled activation, with its bias), and d score[target] / d activation in closed form: the
 * target's kernel column divided by the positions, the same at every position, computed with the ops
 * tfjs's backward pass uses (the dense input gradient of a one-hot seed is the column exactly; Mean's
 * gradient divides it by the count, then broadcasts), so the values are the same bits. The gradient
 * is handed over un-broadcast, `[n, 1, 1, channels]`: the broadcast (a Tile, the backward pass's last
 * step) is left to the weights that need it; Grad-CAM's and Grad-CAM++'s do not. Saves the tape, the backward pass and the tail's layer calls on the main thread. `targets` and
 * `choose` as forwardBackward's (undefined: the class `choose` picks from the scores). With `targets` given
 * nothing reads the scores (the gradient does not depend on them): they are not computed (two
 * dispatches and their op calls fewer) and `scores` is undefined; without `targets`, `predicted` is
 * each row's chosen class (int32, on the GPU), which the gradient used: the pipeline reads it back as the
 * predicted classes instead of taking the argmax again.
 * @throws {InvalidOptionError} a target class is out of range (as resolveTargets would throw later).
 */
export function pooledDenseEvidence(
  tail: PooledDenseTail,
  split: ModelSplit,
  x: tf.Tensor4D,
  targets: readonly number[] | undefined,
  choose: ChooseClasses = ownArgmax,
): { activation: tf.Tensor4D; scores: tf.Tensor2D | undefined; gradient: tf.Tensor4D; predicted?: tf.Tensor1D } {
  const { kernel } = tail;
  targets?.forEach((t) => checkTargetClass(t, kernel.shape[1]));
  const { activation, context } = split.head(x);
  tf.dispose([...context.values()]);
  const [n, h, w, channels] = activation.shape;
  let closedForm: { scores: tf.Tensor2D | undefined; gradient: tf.Tensor4D; predicted?: tf.Tensor1D };
  try {
    closedForm = tf.tidy(() => {
      const scores = targets ? undefined : denseScores(tail, activation);
      const classes = scores ? choose(scores) : tf.tensor1d([...targets!], 'int32');
      const columns = tf.gather(kernel, classes, 1); // [channels, n]
      const perImage = tf.reshape(n === 1 ? columns : tf.transpose(columns), [n, 1, 1, channels]);
      // Not broadcast here: gradientCamWeights reads it per channel, or broadcasts it where a method needs that.
      const gradient = tf.div<tf.Tensor4D>(perImage, h * w);
      return { scores, gradient, ...(!targets && { predicted: classes }) };
    });
  } catch (error) {
    activation.dispose();
    throw error;
  }
  return { activation, ...closedForm };
}
