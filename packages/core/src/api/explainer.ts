// SPDX-License-Identifier: Apache-2.0
import * as tf from '@tensorflow/tfjs';
import { DisposedError, throwIfAborted, UnsupportedModelError } from '@webxai/shaders';
import { adaptModel } from '../model/adapt.js';
import type { ModelAdapter, ModelInput } from '../model/types.js';
import { toInputBatch, toUncheckedBatch } from './input.js';
import { InputCheck } from './input-check.js';
import { disposeResult } from './dispose-result.js';
import { CALL_OVERRIDE_NAMES, checkOptionNames, COMMON_OPTION_NAMES } from './option-names.js';
import { functionOption, signalOption } from './options.js';
import { checkTargetOption } from './targets.js';
import type { CommonOptions, ExecutionPath, MethodDefinition, MethodInstance, MethodName, OptionsFor, ResultFor } from './types.js';
import { warnOnce } from './warn.js';
import { flushTfjs, GpuDrain } from '../interop/tfjs-webgpu.js';
import { asDeviceLoss, callDevice, checkModelBackend, throwIfTfjsDeviceLost } from '../interop/device-loss.js';
import { installFirstMaxPoolGrad } from '../interop/first-max-pool-grad.js';

/** Per-call overrides accepted by {@link Explainer.explain}. */
export type CallOverrides = Pick<CommonOptions, 'target' | 'signal' | 'onProgress'>;

/** A method prepared for one model: reuse it per frame, then dispose it. */
export interface Explainer<M extends MethodName> {
  readonly method: M;
  readonly model: ModelAdapter;
  /** Explains a 3-D [h, w, c] or 4-D [n, h, w, c] float32 input. */
  explain(input: tf.Tensor, overrides?: CallOverrides): Promise<ResultFor<M>>;
  /** Releases what the method prepared (split models, GPU buffers). Idempotent. */
  dispose(): void;
}

/**
 * The execution path for tfjs's active backend; the CPU path is announced once, never taken silently.
 * Both paths install webxai's first-max max-pool gradients (idempotent), so gradients through 2-D
 * and 3-D max pooling match between backends and PyTorch (docs/decisions/0005).
 */
export function currentPath(): ExecutionPath {
  const backend = tf.getBackend();
  installFirstMaxPoolGrad();
  if (backend === 'webgpu') return 'gpu';
  warnOnce(
    `path-${backend}`,
    `webxai: tfjs backend is '${backend}', so webxai's kernels run as their CPU references (slower). ` +
      `Use tf.setBackend('webgpu') for the GPU path; every result reports its path.`,
  );
  return 'cpu';
}

/**
 * Methods always see a 4-D batch. A per-pixel attribution of a 3-D input [h, w, c] comes back as
 * [h, w, c] (exactly the input's shape); per-image maps such as CAM's [n, h, w] keep their batch axis.
 */
function matchInputRank(input: tf.Tensor, attribution: tf.Tensor): { attribution?: tf.Tensor } {
  if (input.rank !== 3 || attribution.rank !== 4 || attribution.shape[0] !== 1) return {};
  const squeezed = tf.squeeze(attribution, [0]);
  attribution.dispose();
  return { attribution: squeezed };
}

/** Option names and the types of the options every method takes, before any work. */
function checkCommonOptions(definition: MethodDefinition<MethodName>, options: CommonOptions): void {
  checkOptionNames(definition.name, options, COMMON_OPTION_NAMES, definition.optionNames);
  signalOption(definition.name, options.signal);
  functionOption(definition.name, 'onProgress', options.onProgress);
  functionOption(definition.name, 'preprocess', options.preprocess);
}

/** The names and types of per-call overrides. */
function checkCallOverrides(method: string, overrides: CallOverrides): void {
  checkOptionNames(`${method} explain()`, overrides, CALL_OVERRIDE_NAMES);
  signalOption(method, overrides.signal);
  functionOption(method, 'onProgress', overrides.onProgress);
}

/** The checked input batch; with `defer`, its NaN/Inf check still pending, for the method to read. */
async function inputBatch(input: tf.Tensor, model: ModelAdapter, defer: boolean): Promise<{ batch: tf.Tensor4D; inputCheck?: InputCheck }> {
  if (!defer) return { batch: await toInputBatch(input, model) };
  const batch = toUncheckedBatch(input, model);
  return { batch, inputCheck: new InputCheck(batch) };
}

/** flushTfjs on the webgpu backend; a lost device has nothing to submit (the call then reports the loss). */
function submitPendingTfjsWork(): void {
  if (tf.getBackend() !== 'webgpu') return;
  try {
    flushTfjs();
  } catch {
    // Reported by throwIfTfjsDeviceLost right after.
  }
}

/**
 * The method prepared for `model`: its common options checked, the model adapted and the method's
 * instance created (the caller disposes the instance).
 */
export function prepareMethod<M extends MethodName>(
  definition: MethodDefinition<M>,
  model: ModelInput,
  options: OptionsFor<M>,
): { adapter: ModelAdapter; instance: MethodInstance<M> } {
  checkCommonOptions(definition, options);
  const adapter = adaptModel(model, options.preprocess ? { preprocess: options.preprocess } : {});
  if (definition.requires === 'gradients' && !adapter.differentiable) {
    throw new UnsupportedModelError(
      `method '${definition.name}' needs gradients, but a ${adapter.kind} model only predicts; use a perturbation method (occlusion, rise, lime, kernel-shap) or pass a tfjs model`,
    );
  }
  return { adapter, instance: definition.create(adapter, options) };
}

/** Creates an explainer from a method definition (the tree-shakable core of `createExplainer`). */
export function createExplainerFor<M extends MethodName>(
  definition: MethodDefinition<M>,
  model: ModelInput,
  options: OptionsFor<M>,
): Explainer<M> {
  const { adapter, instance } = prepareMethod(definition, model, options);
  let disposed = false;
  return {
    method: definition.name,
    model: adapter,
    async explain(input, overrides = {}) {
      if (disposed)
        throw new DisposedError(`this '${definition.name}' explainer has been disposed: create a new one with createExplainer()`);
      checkCallOverrides(definition.name, overrides);
      const signal = overrides.signal ?? options.signal;
      throwIfAborted(signal, definition.name);
      const target = overrides.target ?? options.target;
      const start = performance.now();
      // Submit the caller's recorded tfjs work before the first await: tfjs-webgpu's
      // fromPixels(video) records a copy from an imported external texture that expires when the
      // caller's task ends, so submitting it after webxai yields read NaN frames.
      submitPendingTfjsWork();
      // A lost device fails this call with a DeviceLostError (and a fresh device for the next one).
      const device = callDevice();
      await throwIfTfjsDeviceLost(definition.name);
      if (adapter.kind === 'layers') checkModelBackend(adapter.source);
      const { batch, inputCheck } = await inputBatch(input, adapter, definition.defersInputCheck === true).catch(async (error: unknown) =>
        Promise.reject(await asDeviceLoss(error, definition.name, device)),
      );
      try {
        checkTargetOption(target, batch.shape[0]);
        const path = currentPath();
        const drain = new GpuDrain();
        const output = await instance
          .explain(batch, {
            target,
            signal,
            onProgress: overrides.onProgress ?? options.onProgress,
            path,
            ...(inputCheck && { inputCheck }),
            ...(path === 'gpu' && { markDrained: drain.markDrained }),
          })
          .catch(async (error: unknown) => {
            // Bad input values explain the method's failure: report them instead.
            await inputCheck?.settle();
            throw error;
          });
        // Methods that read nothing back leave the check to here.
        await inputCheck?.settle().catch((error: unknown) => {
          disposeResult(output);
          throw error;
        });
        // tfjs and our kernels run asynchronously: timeMs measures the explanation once the GPU has finished.
        if (path === 'gpu') await drain.settle();
        const ran = (output as { path?: ExecutionPath }).path ?? path;
        return {
          ...output,
          ...matchInputRank(input, (output as unknown as { attribution: tf.Tensor }).attribution),
          method: definition.name,
          path: ran,
          // Black boxes get host-built batches (perturbation/shared/evaluate.ts hostBatches).
          inputPath: adapter.kind === 'black-box' && !options.preprocess ? 'cpu' : ran,
          backend: tf.getBackend(),
          timeMs: performance.now() - start,
        } as unknown as ResultFor<M>;
      } catch (error) {
        throw await asDeviceLoss(error, definition.name, device);
      } finally {
        inputCheck?.dispose();
        batch.dispose();
      }
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      instance.dispose();
    },
  };
}
