// SPDX-License-Identifier: Apache-2.0
// Adam (Kingma & Ba 2015) on plain tensors, for gradient ascent. tf.train.adam would need tf.Variables,
// which tfjs registers globally by name; these tensors are local to one visualisation. Two forms of
// the same step: tfjs ops (adamAscend, the cpu backend's) and WGSL on webgpu (adamAscendKernel:
// adam-ascend-quads over whole quads, adam-ascend over the rest; the tfjs form is a dozen
// elementwise programs).
import * as tf from '@tensorflow/tfjs';
import { recordAdamPremixStep, recordAdamStep, recordKernels, type FourierImageShape, type KernelBatch } from '@webxai/shaders';
import { createTensorBuffer, gpuBufferOf, tfjsDevice, type TensorBuffer } from '../../interop/tfjs-webgpu.js';

export interface AdamState {
  readonly m: tf.Tensor;
  readonly v: tf.Tensor;
  readonly t: number;
}

const [BETA1, BETA2, EPSILON] = [0.9, 0.999, 1e-8];

export function adamStart(like: tf.Tensor): AdamState {
  return { m: tf.zerosLike(like), v: tf.zerosLike(like), t: 0 };
}

/**
 * {@link adamStart} on the webgpu backend: m and v zeroed by two clearBuffer commands in one
 * submission instead of two tfjs fill programs (the same +0 bits; the fills took ~3.4 ms of
 * SwiftShader's time per visualizeFeature run at 128 x 128 x 3, the clears next to nothing).
 * On failure nothing leaks.
 */
export async function adamStartKernel(like: tf.Tensor): Promise<AdamState> {
  const [m, v] = [0, 1].map(() => createTensorBuffer(like.shape)) as [TensorBuffer, TensorBuffer];
  try {
    await recordKernels(tfjsDevice(), 'adam-start', (batch) => batch.clear(m.buffer).clear(v.buffer));
  } catch (error) {
    tf.dispose([m.tensor, v.tensor]);
    throw error;
  }
  return { m: m.tensor, v: v.tensor, t: 0 };
}

/** The step size of step t with both bias corrections (f64). */
const stepRate = (learningRate: number, t: number) => (learningRate * Math.sqrt(1 - BETA2 ** t)) / (1 - BETA1 ** t);

/** One ascent step: returns the new variables and state; disposes the old state (not `x`, not `gradient`). */
export function adamAscend(x: tf.Tensor, gradient: tf.Tensor, state: AdamState, learningRate: number): { x: tf.Tensor; state: AdamState } {
  const t = state.t + 1;
  const out = tf.tidy(() => {
    const m = tf.add(tf.mul(state.m, BETA1), tf.mul(gradient, 1 - BETA1));
    const v = tf.add(tf.mul(state.v, BETA2), tf.mul(tf.square(gradient), 1 - BETA2));
    const rate = stepRate(learningRate, t);
    const next = tf.add(x, tf.div(tf.mul(m, rate), tf.add(tf.sqrt(v), EPSILON)));
    return { next, m, v };
  });
  tf.dispose([state.m, state.v]);
  return { x: out.next, state: { m: out.m, v: out.v, t } };
}

/** The new tensors one Adam step writes: allocate with {@link adamOutputs}, record with {@link recordAdamAscend}. */
export interface AdamOutputs {
  readonly x: TensorBuffer;
  readonly m: TensorBuffer;
  readonly v: TensorBuffer;
}

/** Buffers (from tfjs's pool) for the next variables and state of `x`. */
export function adamOutputs(x: tf.Tensor): AdamOutputs {
  const [next, m, v] = [0, 1, 2].map(() => createTensorBuffer(x.shape));
  return { x: next!, m: m!, v: v! };
}

export function disposeAdamOutputs(outputs: AdamOutputs): void {
  tf.dispose([outputs.x.tensor, outputs.m.tensor, outputs.v.tensor]);
}

/** One Adam step to record: the variables, their gradient (a GPU buffer shaped like `x`), the state and the rate. */
export interface AdamStep {
  readonly x: tf.Tensor;
  readonly gradient: GPUBuffer;
  readonly state: AdamState;
  readonly learningRate: number;
}

/** Records Adam's step `step.state.t + 1` (webgpu backend): recordAdamStep's one or two dispatches. */
export function recordAdamAscend(batch: KernelBatch, step: AdamStep, out: AdamOutputs): void {
  recordAdamStep(batch, adamStepArgs(step, out));
}

/** The uniform and buffers of Adam's step `state.t + 1` from `x` into `out` (both Adam kernels'). */
function adamStepArgs({ x, gradient, state, learningRate }: AdamStep, out: AdamOutputs) {
  return {
    params: { count: x.size, beta1: BETA1, beta2: BETA2, epsilon: EPSILON, rate: stepRate(learningRate, state.t + 1) },
    x: gpuBufferOf(x),
    gradient,
    m: gpuBufferOf(state.m),
    v: gpuBufferOf(state.v),
    xNext: out.x.buffer,
    mNext: out.m.buffer,
    vNext: out.v.buffer,
  };
}

/**
 * {@link recordAdamAscend} for the Fourier parametrisation's variables of `shape` (3 channels, planes
 * of whole quads: premixFits) that also leaves the next step's premixed spectrum (the colour mix of
 * the new variables times `scale`, the 1/f scale) in `gradient`: adam-ascend-premix.
 */
export function recordAdamPremixAscend(
  batch: KernelBatch,
  step: AdamStep,
  spectrum: { readonly shape: FourierImageShape; readonly scale: GPUBuffer },
  out: AdamOutputs,
): void {
  recordAdamPremixStep(batch, { ...adamStepArgs(step, out), shape: spectrum.shape, scale: spectrum.scale });
}

/**
 * The step after {@link recordAdamAscend} was submitted: disposes the old state (not `x`) and returns
 * the new variables and state.
 */
export function adamAdvance(state: AdamState, out: AdamOutputs): { x: tf.Tensor; state: AdamState } {
  tf.dispose([state.m, state.v]);
  return { x: out.x.tensor, state: { m: out.m.tensor, v: out.v.tensor, t: state.t + 1 } };
}

/**
 * {@link adamAscend} as WGSL kernels in one submission (webgpu backend only): same contract, the new
 * tensors written by the kernel. If they fail the old state is kept and nothing leaks.
 */
export async function adamAscendKernel(
  x: tf.Tensor,
  gradient: tf.Tensor,
  state: AdamState,
  learningRate: number,
): Promise<{ x: tf.Tensor; state: AdamState }> {
  const out = adamOutputs(x);
  try {
    const g = gpuBufferOf(gradient);
    await recordKernels(tfjsDevice(), 'adam-ascend', (batch) => recordAdamAscend(batch, { x, gradient: g, state, learningRate }, out));
  } catch (error) {
    disposeAdamOutputs(out);
    throw error;
  }
  return adamAdvance(state, out);
}
