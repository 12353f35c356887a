// SPDX-License-Identifier: Apache-2.0
// Shared by every gradient method (and by CAM): the gradient of the target class score with
// respect to a batch, in one backward pass for all rows.
import * as tf from '@tensorflow/tfjs';
import { UnsupportedModelError } from '@webxai/shaders';
import { checkTargetClass, checkTargetOption, givenTargets, resolveTargets, type Target } from '../api/targets.js';
import type { ModelAdapter } from '../model/types.js';
import type { AttributionOnlyCall } from '../api/types.js';
import { readCheckedWithScores, type InputCheck } from '../api/input-check.js';
import { inputGradient } from '../interop/input-gradients.js';
import { keepHostCopy, takesHostCopy } from '../interop/tfjs-webgpu.js';
import { chosenMask, classMask, scoreSeed, targetsSeed } from './score-seed.js';
import { nonFiniteScoresError } from '../model/non-finite-scores.js';

export function forwardOf(model: Pick<ModelAdapter, 'forward' | 'kind'>): (x: tf.Tensor4D) => tf.Tensor2D {
  if (!model.forward) throw new UnsupportedModelError(`a ${model.kind} model has no differentiable forward pass`);
  return model.forward;
}

/**
 * d score[row, target] / d x for every row of `x`, in one backward pass: the gradient of the
 * sum over rows of each row's target score (rows do not interact in inference mode). `targets`
 * has one class per row, or one per group of `x.shape[0] / targets.length` consecutive rows
 * (path points, noisy samples of one image). Returns a new tensor of `x`'s shape; `x` is not
 * disposed. Runs on tfjs's active backend.
 *
 * @example
 * const g = targetGradients(adapter, batch, [3, 3, 7, 7]); // [4, h, w, c]
 */
export function targetGradients(model: Pick<ModelAdapter, 'forward' | 'kind'>, x: tf.Tensor4D, targets: readonly number[]): tf.Tensor4D {
  const forward = forwardOf(model);
  return inputGradient((input) => targetsSeed(forward(input), targets), x);
}

/** Classes per image: numbers on the host, or one-hot rows on the device ([images, classes], e.g. an argMax's). */
export type ClassSeeds = readonly number[] | tf.Tensor2D;

/**
 * d score[row, class of image `images[row]`] / d x for classes given as {@link ClassSeeds}: host
 * classes go to {@link targetGradients}, device rows to {@link maskedGradients} (the same bits).
 */
export function seededGradients(
  model: Pick<ModelAdapter, 'forward' | 'kind'>,
  x: tf.Tensor4D,
  seeds: ClassSeeds,
  images: readonly number[],
): tf.Tensor4D {
  if (seeds instanceof tf.Tensor) return maskedGradients(model, x, seeds, images);
  return targetGradients(
    model,
    x,
    images.map((image) => seeds[image]!),
  );
}

/**
 * {@link targetGradients} for classes that stay on the device: row r of `x` takes the one-hot row
 * `rows[r]` of `masks` ([images, classes], e.g. {@link chosenMask} of an argMax), gathered inside
 * the pass. The same gradient as targetGradients' for the same classes, bit for bit (the seed is the
 * mask either way); nothing is read back.
 */
function maskedGradients(
  model: Pick<ModelAdapter, 'forward' | 'kind'>,
  x: tf.Tensor4D,
  masks: tf.Tensor2D,
  rows: readonly number[],
): tf.Tensor4D {
  const forward = forwardOf(model);
  return inputGradient((input) => scoreSeed(forward(input), tf.gather(masks, Array.from(rows), 0)), x);
}

/**
 * Each row's target score, read back (one small readback): `scores[row, targets[row / repeat]]`.
 * Uses the adapter's async `predict`, so NaN scores become a ModelError.
 */
export async function targetScores(model: ModelAdapter, x: tf.Tensor4D, targets: readonly number[]): Promise<number[]> {
  const scores = await model.predict(x);
  try {
    const values = await scores.data();
    const [rows, classes] = scores.shape;
    const repeat = rows / targets.length;
    return Array.from({ length: rows }, (_, r) => values[r * classes + targets[Math.floor(r / repeat)]!]!);
  } finally {
    scores.dispose();
  }
}

/**
 * The one pass of {@link gradientForTarget} (and of Guided IG's first step): d score[row, class] / d x,
 * with the scores (their shape checks the given classes; their finiteness is read afterwards) kept
 * out of it, and the classes: `given` (one per row), or each row's argmax chosen inside the pass
 * (`chosen`, float32, kept to be read back). If the pass throws, what it kept is disposed.
 */
export function gradientAndScores(
  forward: (x: tf.Tensor4D) => tf.Tensor2D,
  x: tf.Tensor4D,
  given: readonly number[] | undefined,
): { gradient: tf.Tensor4D; scores: tf.Tensor2D; chosen: tf.Tensor1D | undefined } {
  const kept: { scores?: tf.Tensor2D; chosen?: tf.Tensor1D } = {};
  try {
    const gradient = inputGradient((input) => {
      const scores = forward(input);
      kept.scores = tf.keep(scores);
      if (given) return scoreSeed(scores, classMask(given, scores.shape[1]));
      const chosen = tf.argMax<tf.Tensor1D>(scores, 1);
      kept.chosen = tf.keep(tf.cast(chosen, 'float32'));
      return scoreSeed(scores, chosenMask(chosen, scores.shape[1]));
    }, x);
    return { gradient, scores: kept.scores!, chosen: kept.chosen };
  } catch (error) {
    tf.dispose([kept.scores, kept.chosen]);
    throw error;
  }
}

/**
 * A check that rides in {@link classesForTarget}'s readback instead of a readback of its own: it
 * passes when every value of `finite` (a few float32 values; not disposed) is finite, else `error()`
 * is thrown, after the input's check and before the scores' (the order of the reads it replaces).
 */
export interface RidingCheck {
  readonly finite: tf.Tensor;
  readonly error: () => Error;
}

/**
 * The class of each row of `x` for a target option, from ONE forward pass and ONE readback that also
 * brings the scores' finiteness, a pending `inputCheck` (InvalidInputError first) and a `riding`
 * check: `'predicted'` (or undefined) is each row's argmax (first maximum). Same errors as `predict`
 * + `resolveTargets`: NaN or Inf scores -> ModelError, a class index out of range -> InvalidOptionError.
 *
 * @example
 * const classes = await classesForTarget(adapter, images, 'predicted', call.inputCheck);
 */
export function classesForTarget(
  model: Pick<ModelAdapter, 'forward' | 'kind'>,
  x: tf.Tensor4D,
  target: Target | undefined,
  inputCheck?: InputCheck,
  riding?: RidingCheck,
): Promise<number[]> {
  const ahead = classesAhead(model, x, target, inputCheck, riding);
  return ahead.classes.finally(() => ahead.release());
}

/** What {@link classesAhead} gives: classes to seed gradient passes with at once, and the checked classes later. */
export interface ClassesAhead {
  /** The checked classes (classesForTarget's); its readback is already on its way. */
  readonly classes: Promise<number[]>;
  /**
   * The classes as gradient seeds, now: the given ones, or each row's argmax as one-hot rows on the
   * device ([rows, classes], made on the first call and disposed by `dispose`).
   */
  seeds(): ClassSeeds;
  /** `classes` for a result made with the seeds: `result` is disposed when they reject. */
  classesFor(result: tf.Tensor): Promise<number[]>;
  /**
   * Disposes the seeds and resolves once the classes' readback has landed (whatever its outcome),
   * when its scores and the input check's flag are freed: a call that stops early (an abort, an
   * error in its passes) awaits it, so it leaves no tensor behind when it rejects.
   */
  release(): Promise<void>;
}

/**
 * {@link classesForTarget} without the wait: its forward pass and readback are issued at once, and the
 * classes are handed out as seeds (`'predicted'`: the argmax's one-hot rows, on the device) so the
 * caller records its gradient passes while the readback travels, then awaits `classes` (same checks
 * and errors; a rejection nobody awaits is not reported as unhandled). Behind a browser's GPU process
 * the round trip and the host's recording of the first pass no longer leave the GPU idle.
 */
export function classesAhead(
  model: Pick<ModelAdapter, 'forward' | 'kind'>,
  x: tf.Tensor4D,
  target: Target | undefined,
  inputCheck?: InputCheck,
  riding?: RidingCheck,
): ClassesAhead {
  const forward = forwardOf(model);
  const given = givenTargets(target, x.shape[0]);
  const scores = tf.tidy(() => forward(x));
  const classCount = scores.shape[1];
  const chosen = given ? undefined : tf.argMax<tf.Tensor1D>(scores, 1);
  const classes = readClasses(model.kind, scores, chosen, given, inputCheck, riding);
  // When the readback has landed, whatever its outcome; handling the rejection here also keeps a
  // rejection nobody awaits from being reported as unhandled.
  const landed = classes.then(
    () => undefined,
    () => undefined,
  );
  let masks: tf.Tensor2D | undefined;
  return {
    classes,
    seeds: () => given ?? (masks ??= chosenMask(chosen!, classCount)),
    classesFor: (result) =>
      classes.catch((error: unknown) => {
        result.dispose();
        throw error;
      }),
    // The readback that reads the argmax was recorded before classesAhead returned (readClasses runs
    // synchronously up to its data() call), so the argmax may go before the read lands.
    release: () => {
      tf.dispose([chosen, masks]);
      return landed;
    },
  };
}

/** classesForTarget's readback and checks; disposes `scores` when it lands. */
async function readClasses(
  kind: string,
  scores: tf.Tensor2D,
  chosen: tf.Tensor1D | undefined,
  given: number[] | undefined,
  inputCheck: InputCheck | undefined,
  riding: RidingCheck | undefined,
): Promise<number[]> {
  try {
    const read = await readCheckedWithScores(inputCheck, [chosen, riding?.finite], scores);
    const chosenCount = chosen ? chosen.shape[0] : 0;
    if (riding && !read.values.subarray(chosenCount).every(Number.isFinite)) throw riding.error();
    if (!read.scoresFinite) throw nonFiniteScoresError(kind);
    const classes = given ?? Array.from(read.values.subarray(0, chosenCount));
    for (const c of classes) checkTargetClass(c, scores.shape[1]);
    return classes;
  } finally {
    scores.dispose();
  }
}

/** A gradient batch with the classes it was taken for. */
export interface TargetGradient {
  /** d score[target] / d x, the shape of `x`; caller disposes. */
  readonly gradient: tf.Tensor4D;
  /** The class of each row (resolved from `'predicted'` when asked). */
  readonly target: number[];
}

/**
 * {@link targetGradients} for a target option, from ONE forward pass: the scores the target is
 * resolved from are the gradient pass's own (no separate prediction of `x`). `'predicted'` (or
 * undefined) is each row's argmax (first maximum), chosen on the GPU inside the pass; the chosen
 * classes and a finiteness flag of the scores come back in one readback afterwards. Same errors
 * as `predict` + `resolveTargets`: NaN or Inf scores -> ModelError, a class index out of range ->
 * InvalidOptionError (both after the pass; the gradient is then disposed). A pending `inputCheck`
 * comes back in the same readback (InvalidInputError first).
 *
 * `finish` (e.g. tf.abs, or {@link gradientAsAttribution}) turns the gradient into the attribution
 * before that readback, not after:
 * its kernels then run in the same flush, and a caller reading the attribution next finds it done
 * instead of waiting a second round trip (on Chromium's SwiftShader: 0.2 instead of ~2.3 ms).
 * A small finished attribution ({@link takesHostCopy}) also rides along in that readback and is kept
 * as its host copy, so reading it costs no round trip at all. The gradient given to `finish` is
 * disposed by this function.
 * With `attributionOnly` (CallContext.attributionOnly: the caller checked the input and the
 * classes) and given targets, nothing is read: the gradient is returned with its work queued and
 * the pass's scores are handed over unread (their check is the caller's).
 *
 * @example
 * const { gradient, target } = await gradientForTarget(adapter, images, 'predicted');
 * const { gradient: magnitude } = await gradientForTarget(adapter, images, 3, undefined, tf.abs);
 */
export async function gradientForTarget(
  model: Pick<ModelAdapter, 'forward' | 'kind'>,
  x: tf.Tensor4D,
  target: Target | undefined,
  inputCheck?: InputCheck,
  finish?: (gradient: tf.Tensor4D) => tf.Tensor4D,
  attributionOnly?: AttributionOnlyCall,
): Promise<TargetGradient> {
  const forward = forwardOf(model);
  const rows = x.shape[0];
  checkTargetOption(target, rows);
  const given =
    target === undefined || target === 'predicted'
      ? undefined
      : typeof target === 'number'
        ? new Array<number>(rows).fill(target)
        : [...target];
  const { gradient: raw, scores, chosen } = gradientAndScores(forward, x, given);
  let gradient = raw;
  let scoresHandedOver = false;
  try {
    if (finish) gradient = finishGradient(gradient, finish);
    // The caller checked the classes and keeps only the gradient (CallContext.attributionOnly): nothing
    // to read here; the scores go to the caller, which checks them with the attribution.
    if (attributionOnly && given) {
      attributionOnly.handOverScores(scores);
      scoresHandedOver = true;
      return { gradient, target: given };
    }
    const hostCopy = finish && takesHostCopy(gradient.size) ? gradient : undefined;
    const read = await readCheckedWithScores(inputCheck, [chosen, hostCopy], scores);
    if (!read.scoresFinite) throw nonFiniteScoresError(model.kind);
    const classCount = chosen ? rows : 0;
    if (hostCopy) keepHostCopy(hostCopy, read.values.subarray(classCount));
    return { gradient, target: given ? await resolveTargets(given, scores) : Array.from(read.values.subarray(0, classCount)) };
  } catch (error) {
    gradient.dispose();
    throw error;
  } finally {
    chosen?.dispose();
    if (!scoresHandedOver) scores.dispose();
  }
}

/**
 * The `finish` of {@link gradientForTarget} for a method whose attribution is the gradient itself
 * (guided backprop, deconvnet): it marks the gradient as the result, so a small one rides in the
 * pass's readback as its host copy, as saliency's |gradient| does.
 */
export const gradientAsAttribution = (gradient: tf.Tensor4D): tf.Tensor4D => gradient;

/** `finish(gradient)`, its intermediates tidied; the gradient is disposed unless returned as is. */
function finishGradient(gradient: tf.Tensor4D, finish: (gradient: tf.Tensor4D) => tf.Tensor4D): tf.Tensor4D {
  const finished = tf.tidy(() => finish(gradient));
  if (finished !== gradient) gradient.dispose();
  return finished;
}
