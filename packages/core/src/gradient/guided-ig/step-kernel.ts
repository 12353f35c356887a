// SPDX-License-Identifier: Apache-2.0
// One whole Guided IG step as one tfjs kernel: on webgpu the guided-ig-step WGSL dispatch recorded
// into tfjs's stream (no readback: the selection loop's decisions are made on the GPU), on cpu its
// CPU reference (the same f32 operations in the same order). Replaced, per step, ~4 selection
// iterations of ~12 small dispatches and one awaited readback each (~2-3 ms on lavapipe).
import * as tf from '@tensorflow/tfjs';
import { guidedIgStepFor, guidedIgStepRef, runKernelSync, UnsupportedModelError, type GuidedIgStepParams } from '@webxai/shaders';
import {
  DeferredDispatchErrors,
  dispatchIntoNewTensors,
  kernelTensorBuffer,
  type CpuKernelBackend,
  type WebGPUKernelBackend,
} from '../../interop/webgpu-kernel-backend.js';
import { activeAdapterInfo, isLlvmpipeAdapter } from '../../interop/tfjs-setup.js';

/**
 * The tfjs kernel: inputs `gradient`, `xIn`, `xBase`, `diff`, `x`, `attribution` [rows, rowLength];
 * attributes {@link GuidedIgStepAttributes}; outputs the step's end point and the updated attribution.
 */
export const GUIDED_IG_STEP_KERNEL = 'WebxaiGuidedIgStep';

/** guided-ig-step's uniform without the sizes (which come from the tensors). */
export type GuidedIgStepAttributes = Omit<GuidedIgStepParams, 'rows' | 'rowLength'>;

const INPUTS = ['gradient', 'xIn', 'xBase', 'diff', 'x', 'attribution'] as const;

interface KernelArgs {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs?: unknown;
}

/** Validation errors of earlier dispatches, thrown by the next call (a kernel function cannot await). */
const dispatchErrors = new DeferredDispatchErrors();

function unpack({ inputs, attrs }: KernelArgs) {
  const tensors = INPUTS.map((name) => inputs[name]!);
  const [rows, rowLength] = tensors[0]!.shape as [number, number];
  return { tensors, params: { rows, rowLength, ...(attrs as GuidedIgStepAttributes) } };
}

function stepWebgpu(args: KernelArgs): tf.TensorInfo[] {
  dispatchErrors.throwPending();
  const gpu = args.backend as WebGPUKernelBackend;
  const { tensors, params } = unpack(args);
  const [gradient, xIn, xBase, diff, xStart, attribution] = tensors.map((t) => kernelTensorBuffer(gpu, t));
  if (!gradient || !xIn || !xBase || !diff || !xStart || !attribution) {
    throw new UnsupportedModelError('webxai guided-ig step: an input tensor is stored in a texture, not a GPUBuffer');
  }
  const shape = [params.rows, params.rowLength];
  const kernel = guidedIgStepFor(isLlvmpipeAdapter(activeAdapterInfo()), params.rowLength);
  const targets = { shapes: [shape, shape], kernelName: kernel.name, reads: tensors };
  return dispatchIntoNewTensors(gpu, targets, dispatchErrors, ([x, attributionOut], sink) =>
    runKernelSync(
      gpu.device,
      kernel,
      { params, gradient, xIn, xBase, diff, xStart, attribution, x: x!, attributionOut: attributionOut! },
      sink,
    ),
  );
}

function stepCpu(args: KernelArgs): tf.TensorInfo[] {
  const cpu = args.backend as CpuKernelBackend;
  const { tensors, params } = unpack(args);
  const [gradient, xIn, xBase, diff, xStart, attribution] = tensors.map((t) => cpu.readSync(t.dataId));
  const out = guidedIgStepRef(
    { gradient: gradient!, xIn: xIn!, xBase: xBase!, diff: diff!, xStart: xStart!, attribution: attribution! },
    params,
  );
  const shape = [params.rows, params.rowLength];
  return [cpu.makeTensorInfo(shape, 'float32', out.x), cpu.makeTensorInfo(shape, 'float32', out.attribution)];
}

/** Registers the kernel for webgpu and cpu (idempotent; global for the process or page). */
function install(): void {
  if (!tf.getKernel(GUIDED_IG_STEP_KERNEL, 'webgpu')) {
    tf.registerKernel({ kernelName: GUIDED_IG_STEP_KERNEL, backendName: 'webgpu', kernelFunc: stepWebgpu });
  }
  if (!tf.getKernel(GUIDED_IG_STEP_KERNEL, 'cpu')) {
    tf.registerKernel({ kernelName: GUIDED_IG_STEP_KERNEL, backendName: 'cpu', kernelFunc: stepCpu });
  }
}

/** True when the active backend runs {@link stepByKernel} (webgpu, cpu); other backends take PAIR's host loop (host-loop.ts). */
export function hasStepKernel(): boolean {
  const backend = tf.getBackend();
  return backend === 'webgpu' || backend === 'cpu';
}

/** The path geometry the step reads: the input, the baseline and their difference, [rows, rowLength]. */
export interface StepGeometry {
  readonly xIn: tf.Tensor2D;
  readonly xBase: tf.Tensor2D;
  readonly diff: tf.Tensor2D;
}

/**
 * One Guided IG step from `x` with a fixed `gradient` by the guided-ig-step kernel (active backend
 * webgpu or cpu, see hasStepKernel): the step's end point and `attribution` plus
 * (end - x) * gradient. The caller disposes both.
 */
export function stepByKernel(
  gradient: tf.Tensor2D,
  path: StepGeometry,
  x: tf.Tensor2D,
  attribution: tf.Tensor2D,
  attributes: GuidedIgStepAttributes,
): [tf.Tensor2D, tf.Tensor2D] {
  install();
  const inputs = { gradient, xIn: path.xIn, xBase: path.xBase, diff: path.diff, x, attribution };
  const attrs = { ...attributes } as unknown as tf.NamedAttrMap;
  return tf.engine().runKernel(GUIDED_IG_STEP_KERNEL, inputs, attrs) as unknown as [tf.Tensor2D, tf.Tensor2D];
}
