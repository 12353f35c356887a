// SPDX-License-Identifier: Apache-2.0
import type * as tf from '@tensorflow/tfjs';
import type { ModelAdapter } from '../model/types.js';
import type { InputCheck } from './input-check.js';
import type { OptionNames } from './option-names.js';
import type { Target } from './targets.js';

/** Where webxai's own kernels ran: WGSL on tfjs's GPUDevice, or their CPU references. */
export type ExecutionPath = 'gpu' | 'cpu';

/** A progress report; perturbation methods include a refined partial attribution (caller must not dispose it). */
export interface Progress {
  readonly done: number;
  readonly total: number;
  /** The attribution so far (anytime methods); owned by webxai, valid only during the callback. */
  readonly partial?: tf.Tensor;
  /** A convergence estimate (e.g. relative change of the last batch), when the method has one. */
  readonly convergence?: number;
}

/** Options every method takes. */
export interface CommonOptions {
  /** Class to explain per image: an index, one index per image, or 'predicted' (argmax; default). */
  readonly target?: Target;
  /** Cancels the explanation within one batch; the promise rejects with AbortedError and nothing leaks. */
  readonly signal?: AbortSignal;
  /** Called after every batch of model evaluations. */
  readonly onProgress?: (progress: Progress) => void;
  /** Applied to the input before the model; attributions are with respect to the raw input. */
  readonly preprocess?: (x: tf.Tensor4D) => tf.Tensor4D;
}

/** Fields every result has. */
export interface ExplainResultBase {
  readonly method: string;
  /** The attribution; a tf.Tensor the caller disposes. Shape depends on the method family. */
  readonly attribution: tf.Tensor;
  /** The class index explained, per image. */
  readonly target: number[];
  /**
   * Which implementation of webxai's kernels ran (never switched silently: see `backend`). A
   * black-box model (predict function, `fromOnnx`) without `preprocess` has its perturbed batches
   * written on the host, so occlusion and rise then run entirely as CPU references and say 'cpu'.
   * The built-in SLIC segmentation computes small images' labels on the host on either path (its
   * `placement`, the same labels); `path` describes the rest of the explanation.
   */
  readonly path: ExecutionPath;
  /**
   * Where the model's inputs were built: 'cpu' for a black-box model without `preprocess` (perturbed
   * images are written on the host straight into the Float32Array its predict receives, even when
   * `path` is 'gpu' for the rest, e.g. LIME's weighted least squares), otherwise equal to `path`.
   */
  readonly inputPath: ExecutionPath;
  /** tfjs's active backend during the run. */
  readonly backend: string;
  /** Wall-clock time of the explanation until the GPU finished it (no readback), in milliseconds. */
  readonly timeMs: number;
}

/**
 * Methods register here by declaration merging, from their own folder:
 * `declare module '../api/types.js' { interface MethodRegistry { saliency: { options: O; result: R } } }`.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by declaration merging
export interface MethodRegistry {}

export type MethodName = Extract<keyof MethodRegistry, string>;

/** The options of method `M` alone (without the common ones). */
export type MethodOptions<M extends MethodName> = MethodRegistry[M] extends { options: infer O } ? O : never;

/** The options of method `M`, including the common ones and the `method` discriminant. */
export type OptionsFor<M extends MethodName> = MethodRegistry[M] extends { options: infer O }
  ? O & CommonOptions & { readonly method: M }
  : never;

/** The result of method `M`. */
export type ResultFor<M extends MethodName> = MethodRegistry[M] extends { result: infer R } ? R : never;

/** Options of any method: a union discriminated by `method`. */
export type ExplainOptions = { [M in MethodName]: OptionsFor<M> }[MethodName];

/**
 * What a method returns; the dispatcher adds method, path, inputPath, backend and timeMs. A method
 * that ran on the CPU although the call's path was 'gpu' (black-box batches) returns `path: 'cpu'`.
 */
export type MethodOutput<M extends MethodName> = Omit<ResultFor<M>, 'method' | 'path' | 'inputPath' | 'backend' | 'timeMs'> & {
  readonly path?: ExecutionPath;
};

/** Per-call context a method instance receives. */
export interface CallContext {
  readonly target: Target | undefined;
  readonly signal: AbortSignal | undefined;
  readonly onProgress: ((progress: Progress) => void) | undefined;
  readonly path: ExecutionPath;
  /**
   * The input's NaN/Inf check, still unread, for methods whose definition sets `defersInputCheck`:
   * read it with the method's first readback (`inputCheck.readWith(values)`); the explainer reads
   * it alone after the method otherwise. Undefined: the input was checked before the call.
   */
  readonly inputCheck?: InputCheck;
  /**
   * Call right after a readback that waited for all the GPU work the method recorded, when the
   * method records no more GPU work (its result is built from tensors already computed): the
   * explainer then skips its own wait for the GPU queue (a round trip, 0.3-0.5 ms on Chromium) if
   * tfjs has submitted nothing since. Undefined on the CPU path.
   */
  readonly markDrained?: () => void;
  /**
   * Set by core's own re-explaining callers (api/attribution-only.ts), with targets already checked
   * against the model's classes: only the attribution is kept, so a method may leave out the rest
   * of its result (an empty IG delta) and the readbacks that only feed it. Methods that ignore it
   * are still right.
   */
  readonly attributionOnly?: AttributionOnlyCall;
}

/** What a method is given when only its attribution is kept ({@link CallContext.attributionOnly}). */
export interface AttributionOnlyCall {
  /**
   * Takes the scores of the method's own forward pass at the input when the method leaves them
   * unread (no NaN/Inf check): the caller reads them with the attribution, checks and disposes them,
   * so it need not forward the input again for that check.
   */
  handOverScores(scores: tf.Tensor): void;
  /**
   * The classes as one-hot rows on the device ([images, classes], not disposed by the method) while
   * the caller's read of them is still on its way; `CallContext.target` is then undefined. Given
   * only to methods whose definition sets {@link MethodDefinition.takesClassRows}.
   */
  readonly classRows?: tf.Tensor2D;
}

/** A method prepared for one model (state such as a split model lives here until dispose). */
export interface MethodInstance<M extends MethodName> {
  /** `input` is a checked NHWC float32 batch, owned by the caller. */
  explain(input: tf.Tensor4D, call: CallContext): Promise<MethodOutput<M>>;
  dispose(): void;
}

/** One attribution method: its name, what it needs from the model, and how to prepare it. */
export interface MethodDefinition<M extends MethodName> {
  readonly name: M;
  /**
   * 'gradients': needs a differentiable tfjs model. 'predictions': needs no gradients, only forward
   * passes; the perturbation methods then work with any model, black boxes included, but the
   * gradient-free CAMs (Score-, Ablation-, Eigen-CAM) still need a tfjs model whose layers they can
   * split (`create` throws UnsupportedModelError otherwise).
   */
  readonly requires: 'gradients' | 'predictions';
  /** Every name of the method's own options ({@link OptionNames}); any other name is rejected. */
  readonly optionNames: OptionNames<MethodOptions<M>>;
  /**
   * The explainer starts the input's NaN/Inf check without reading it and hands it to the method
   * ({@link CallContext.inputCheck}), saving a readback; an input with NaN or Inf then goes through
   * the method's GPU passes before the InvalidInputError (which wins over any error the method
   * threw). Only for methods whose passes cannot loop, hang or write anything on such values.
   */
  readonly defersInputCheck?: boolean;
  /**
   * With {@link CallContext.attributionOnly}, the method seeds its passes with
   * `attributionOnly.classRows` when they are given, so a caller whose classes are still being read
   * back (the sanity checks) records the method at once instead of waiting a round trip.
   */
  readonly takesClassRows?: boolean;
  /** Checks options (throwing InvalidOptionError that names the option) and prepares per-model state. */
  create(model: ModelAdapter, options: OptionsFor<M>): MethodInstance<M>;
}
