// SPDX-License-Identifier: Apache-2.0
// Why this exists: tfjs 4.22's gradient of Relu is mul(dy, cast(step(x))): two dispatches per ReLU
// (Step, then Multiply; the cast is free) and an intermediate tensor the size of x. Under tf.grad
// the MNIST CNN's three ReLUs cost 6 dispatches of 0.07-0.26 ms each on SwiftShader (saliency's
// backward pass; docs/decisions/0009). On software adapters the gradient runs webxai's relu-grad
// kernel instead, one dispatch recorded into tfjs's stream that computes dy * step(x) with tfjs's
// step (NaN x gives x) and tfjs's product (dy first): the same bits. Other backends, dtypes and
// element counts that are not a multiple of 4 keep tfjs's gradient.
import * as tf from '@tensorflow/tfjs';
import { reluGrad, reluGradInvocations, runKernelSync, UnsupportedModelError } from '@webxai/shaders';
import { DeferredDispatchErrors, dispatchIntoNewTensor, kernelTensorBuffer, type WebGPUKernelBackend } from './webgpu-kernel-backend.js';
import { replaceGradient, restoreGradient } from './gradient-replacement.js';

/**
 * tfjs env flag: true computes the gradient of Relu on the webgpu backend with webxai's one-pass
 * relu-grad kernel (same values bit for bit as tfjs's Step + Multiply). Its default comes from the
 * evaluation function passed to {@link installFusedReluGradient} (configureTfjs: software adapters
 * only); set it to false after configureTfjs (or `?tfjsflags=WEBXAI_WEBGPU_FUSED_RELU_GRADIENT:false`
 * in a page URL) to keep tfjs's gradient.
 */
export const FUSED_RELU_GRADIENT_FLAG = 'WEBXAI_WEBGPU_FUSED_RELU_GRADIENT';

/** The tfjs kernel that runs relu-grad: inputs dy and x, output dx (webgpu only). */
export const RELU_GRAD_KERNEL = 'WebxaiReluGrad';

/** Validation errors of earlier dispatches, thrown by the next call (a kernel function cannot await). */
const dispatchErrors = new DeferredDispatchErrors();

/**
 * True when this gradient runs relu-grad rather than tfjs's ops. The kernel is looked up first: it
 * and the flag are registered together by installFusedReluGradient, which a caller of
 * {@link reluGradient} may not have run (configureTfjs not called): the flag cannot be read then.
 */
function fusesHere(dy: tf.Tensor, x: tf.Tensor): boolean {
  return (
    tf.getBackend() === 'webgpu' &&
    tf.getKernel(RELU_GRAD_KERNEL, 'webgpu') !== undefined &&
    tf.env().getBool(FUSED_RELU_GRADIENT_FLAG) &&
    dy.dtype === 'float32' &&
    x.dtype === 'float32' &&
    x.size % 4 === 0 &&
    tf.util.arraysEqual(dy.shape, x.shape)
  );
}

/**
 * dy * step(x), the gradient of a ReLU at x: one relu-grad dispatch where the kernel applies (webgpu,
 * flag on, float32, a multiple of 4 elements), else tfjs's Step and Multiply; the same bits either way.
 */
export function reluGradient(dy: tf.Tensor, x: tf.Tensor): tf.Tensor {
  if (!fusesHere(dy, x)) return tf.mul(dy, tf.cast(tf.step(x), 'float32'));
  return tf.engine().runKernel<tf.Tensor>(RELU_GRAD_KERNEL, { dy, x });
}

/** RELU_GRAD_KERNEL on tfjs-backend-webgpu: one relu-grad dispatch into a new tensor. */
function reluGradWebgpu({ inputs, backend }: { inputs: tf.NamedTensorInfoMap; backend: unknown }): tf.TensorInfo {
  dispatchErrors.throwPending();
  const gpu = backend as WebGPUKernelBackend;
  const { dy, x } = inputs as { dy: tf.TensorInfo; x: tf.TensorInfo };
  const [dyBuffer, xBuffer] = [kernelTensorBuffer(gpu, dy), kernelTensorBuffer(gpu, x)];
  if (!dyBuffer || !xBuffer) {
    throw new UnsupportedModelError(
      'webxai relu gradient: an input tensor is stored in a texture, not a GPUBuffer (set WEBXAI_WEBGPU_FUSED_RELU_GRADIENT to false)',
    );
  }
  const params = { count: reluGradInvocations(tf.util.sizeFromShape(x.shape)) };
  const target = { shape: [...x.shape], kernelName: reluGrad.name, reads: [dy, x] };
  return dispatchIntoNewTensor(gpu, target, dispatchErrors, (dx, sink) =>
    runKernelSync(gpu.device, reluGrad, { params, dy: dyBuffer, x: xBuffer, dx }, sink),
  );
}

const KERNEL: tf.KernelConfig = { kernelName: RELU_GRAD_KERNEL, backendName: 'webgpu', kernelFunc: reluGradWebgpu };

/**
 * RELU_GRAD_KERNEL's own gradient, for a gradient of a gradient (tf.grad inside tf.grad): as for
 * mul(dy, step(x)), d/d(dy) is ddx * step(x) and d/dx is 0 (step is flat where it is defined).
 */
const KERNEL_GRADIENT: tf.GradConfig = {
  kernelName: RELU_GRAD_KERNEL,
  inputsToSave: ['x'],
  gradFunc: (ddx, saved) => {
    const x = saved[0]!;
    return { dy: () => reluGradient(ddx as tf.Tensor, x), x: () => tf.zerosLike(x) };
  },
};

/**
 * Registers {@link FUSED_RELU_GRADIENT_FLAG} with `enabledByDefault` as its lazy default, the webgpu
 * kernel {@link RELU_GRAD_KERNEL}, and a gradient of Relu that runs it on the webgpu backend while
 * the flag is on (tfjs's own gradient elsewhere). Idempotent. Global for the page or process.
 */
export function installFusedReluGradient(enabledByDefault: () => boolean): void {
  tf.env().registerFlag(FUSED_RELU_GRADIENT_FLAG, enabledByDefault);
  if (!tf.getKernel(RELU_GRAD_KERNEL, 'webgpu')) {
    tf.registerKernel(KERNEL);
    tf.registerGradient(KERNEL_GRADIENT);
  }
  replaceGradient('Relu', (tfjs) => ({
    ...tfjs,
    gradFunc: (dy, saved, attrs) => {
      const x = saved[0]!;
      if (!fusesHere(dy as tf.Tensor, x)) return tfjs.gradFunc(dy, saved, attrs);
      return { x: () => reluGradient(dy as tf.Tensor, x) };
    },
  }));
}

/** Puts tfjs's own gradient of Relu back (the flag and the kernel stay registered). Idempotent. */
export function uninstallFusedReluGradient(): void {
  restoreGradient('Relu');
}
