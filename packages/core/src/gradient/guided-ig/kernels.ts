// SPDX-License-Identifier: Apache-2.0
// Guided IG's per-iteration work as two tfjs kernels, each on webgpu one webxai WGSL dispatch recorded
// into tfjs's stream and on cpu its CPU reference. guided-ig-clip replaces five tfjs ops (Sub,
// RealDiv, Less, LogicalAnd, Select) with the same f32 operations (A/B on the gradient-small bench
// image, 8 steps: 293 -> 243 ms median at load 18-24). guided-ig-select (the selection) replaces
// ~15 tfjs ops per selection iteration, among them topk(-key, rank), a sort: on lavapipe
// topk took 20 ms for the 3,072 keys of a 32x32x3 image and 820 ms for 224x224x3, once per
// iteration (4 per step on the gradient-small bench image). The keys are the same f32 operations
// (one rounding each) and the rank-th key is counted in integer histograms, so the selection is
// the same, feature for feature, as the tfjs ops' (kept for other backends in selection.ts).
// Since session 21 the explainer takes each step as one guided-ig-step kernel on webgpu and cpu
// (step-kernel.ts); these two serve PAIR's host loop (host-loop.ts) when it runs there, as the
// oracle of core's guided-ig.gpu.test.ts.
import * as tf from '@tensorflow/tfjs';
import { guidedIgClip, guidedIgClipRef, guidedIgSelect, guidedIgSelectRef, runKernelSync, UnsupportedModelError } from '@webxai/shaders';
import {
  DeferredDispatchErrors,
  dispatchIntoNewTensor,
  kernelTensorBuffer,
  type CpuKernelBackend,
  type WebGPUKernelBackend,
} from '../../interop/webgpu-kernel-backend.js';

/** The tfjs kernel: inputs `gradient`, `x`, `xMax` [rows, rowLength], attribute `rank`; output the 1 / 0 mask [rows, rowLength] (f32). */
export const GUIDED_IG_SELECT_KERNEL = 'WebxaiGuidedIgSelect';

/** The tfjs kernel: inputs `x`, `xBase`, `diff`, `xMin` [rows, rowLength] and `going` [rows, 1] (1 / 0), attribute `alphaMin`; output the clipped x. */
export const GUIDED_IG_CLIP_KERNEL = 'WebxaiGuidedIgClip';

interface SelectArgs {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs?: unknown;
}

/** Validation errors of earlier dispatches, thrown by the next call (a kernel function cannot await). */
const dispatchErrors = new DeferredDispatchErrors();

function unpack({ inputs, attrs }: SelectArgs) {
  const { gradient, x, xMax } = inputs as { gradient: tf.TensorInfo; x: tf.TensorInfo; xMax: tf.TensorInfo };
  const [rows, rowLength] = gradient.shape as [number, number];
  return { tensors: [gradient, x, xMax], params: { rows, rowLength, rank: (attrs as { rank: number }).rank } };
}

function selectWebgpu(args: SelectArgs): tf.TensorInfo {
  dispatchErrors.throwPending();
  const gpu = args.backend as WebGPUKernelBackend;
  const { tensors, params } = unpack(args);
  const [gradient, x, xMax] = tensors.map((t) => kernelTensorBuffer(gpu, t));
  if (!gradient || !x || !xMax) {
    throw new UnsupportedModelError('webxai guided-ig selection: an input tensor is stored in a texture, not a GPUBuffer');
  }
  const target = { shape: [params.rows, params.rowLength], kernelName: guidedIgSelect.name, reads: tensors };
  return dispatchIntoNewTensor(gpu, target, dispatchErrors, (selected, sink) =>
    runKernelSync(gpu.device, guidedIgSelect, { params, gradient, x, xMax, selected }, sink),
  );
}

function selectCpu(args: SelectArgs): tf.TensorInfo {
  const cpu = args.backend as CpuKernelBackend;
  const { tensors, params } = unpack(args);
  const [gradient, x, xMax] = tensors.map((t) => cpu.readSync(t.dataId)) as [ArrayLike<number>, ArrayLike<number>, ArrayLike<number>];
  const selected = guidedIgSelectRef(gradient, x, xMax, params.rows, params.rowLength, params.rank);
  return cpu.makeTensorInfo([params.rows, params.rowLength], 'float32', selected);
}

const CLIP_INPUTS = ['x', 'xBase', 'diff', 'xMin', 'going'] as const;

function clipWebgpu({ inputs, backend, attrs }: SelectArgs): tf.TensorInfo {
  dispatchErrors.throwPending();
  const gpu = backend as WebGPUKernelBackend;
  const tensors = CLIP_INPUTS.map((name) => inputs[name]!);
  const [x, xBase, diff, xMin, going] = tensors.map((t) => kernelTensorBuffer(gpu, t));
  if (!x || !xBase || !diff || !xMin || !going) {
    throw new UnsupportedModelError('webxai guided-ig catch-up: an input tensor is stored in a texture, not a GPUBuffer');
  }
  const [rows, rowLength] = tensors[0]!.shape as [number, number];
  const params = { rows, rowLength, alphaMin: (attrs as { alphaMin: number }).alphaMin };
  const target = { shape: [rows, rowLength], kernelName: guidedIgClip.name, reads: tensors };
  return dispatchIntoNewTensor(gpu, target, dispatchErrors, (clipped, sink) =>
    runKernelSync(gpu.device, guidedIgClip, { params, x, xBase, diff, xMin, going, clipped }, sink),
  );
}

function clipCpu({ inputs, backend, attrs }: SelectArgs): tf.TensorInfo {
  const cpu = backend as CpuKernelBackend;
  const read = (name: (typeof CLIP_INPUTS)[number]) => cpu.readSync(inputs[name]!.dataId);
  const values = { x: read('x'), xBase: read('xBase'), diff: read('diff'), xMin: read('xMin'), going: read('going') };
  const [rows, rowLength] = inputs.x!.shape as [number, number];
  const clipped = guidedIgClipRef(values, rows, rowLength, (attrs as { alphaMin: number }).alphaMin);
  return cpu.makeTensorInfo([rows, rowLength], 'float32', clipped);
}

/** Registers the kernels for webgpu and cpu (idempotent; global for the process or page). */
function install(): void {
  if (!tf.getKernel(GUIDED_IG_CLIP_KERNEL, 'webgpu')) {
    tf.registerKernel({ kernelName: GUIDED_IG_CLIP_KERNEL, backendName: 'webgpu', kernelFunc: clipWebgpu });
  }
  if (!tf.getKernel(GUIDED_IG_CLIP_KERNEL, 'cpu')) {
    tf.registerKernel({ kernelName: GUIDED_IG_CLIP_KERNEL, backendName: 'cpu', kernelFunc: clipCpu });
  }
  if (!tf.getKernel(GUIDED_IG_SELECT_KERNEL, 'webgpu')) {
    tf.registerKernel({ kernelName: GUIDED_IG_SELECT_KERNEL, backendName: 'webgpu', kernelFunc: selectWebgpu });
  }
  if (!tf.getKernel(GUIDED_IG_SELECT_KERNEL, 'cpu')) {
    tf.registerKernel({ kernelName: GUIDED_IG_SELECT_KERNEL, backendName: 'cpu', kernelFunc: selectCpu });
  }
}

/** True when the active backend runs {@link selectByKernel} and {@link clipByKernel}. */
export function hasGuidedIgKernels(): boolean {
  const backend = tf.getBackend();
  return backend === 'webgpu' || backend === 'cpu';
}

/** The selection mask (1 / 0, f32) by the guided-ig-select kernel; active backend webgpu or cpu. */
export function selectByKernel(gradient: tf.Tensor2D, x: tf.Tensor2D, xMax: tf.Tensor2D, rank: number): tf.Tensor2D {
  install();
  return tf.engine().runKernel<tf.Tensor2D>(GUIDED_IG_SELECT_KERNEL, { gradient, x, xMax }, { rank });
}

/** Guided IG's catch-up by the guided-ig-clip kernel (`going`: [rows, 1], 1 / 0); active backend webgpu or cpu. */
export function clipByKernel(
  x: tf.Tensor2D,
  xBase: tf.Tensor2D,
  diff: tf.Tensor2D,
  xMin: tf.Tensor2D,
  going: tf.Tensor2D,
  alphaMin: number,
): tf.Tensor2D {
  install();
  return tf.engine().runKernel<tf.Tensor2D>(GUIDED_IG_CLIP_KERNEL, { x, xBase, diff, xMin, going }, { alphaMin });
}
