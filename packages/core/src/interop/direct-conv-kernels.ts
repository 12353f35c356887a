// SPDX-License-Identifier: Apache-2.0
// Why this exists: tfjs-backend-webgpu 4.22 convolves with tiled matmuls (Conv2DMM, or im2col +
// matmul) whose workgroup barriers software adapters (SwiftShader, lavapipe) emulate on the CPU;
// the conv matmuls were ~65% of an MNIST forward + backward pass in headless Chromium
// (docs/decisions/0009, Decision 5). On software adapters this re-registers tfjs-webgpu's
// FusedConv2D, Conv2D and Conv2DBackpropInput so that the NHWC, dilation-1, float32 cases with a
// linear / relu / relu6 activation run webxai's barrier-free direct-conv2d kernels instead; every
// other case (NCHW, dilations, prelu / leaky relu / sigmoid..., int32, texture-backed tensors)
// calls tfjs's own kernel with the caller's arguments untouched.
//
// How it runs: like first-max-pool-grad.ts, with runKernelSync on tfjs's own GPUDevice, reading
// the GPUBuffers behind the input tensors and writing the buffer of an output tensor tfjs made
// (makeTensorInfo + uploadToGPU: a buffer from tfjs's pool, owned and recycled by tfjs). Nothing is
// copied, and nothing is ours to dispose. The dispatch is recorded into tfjs's own open compute pass
// (tfjsStreamSink in webgpu-kernel-backend.ts), so a convolution costs no submit of its own; a tfjs
// WebGPUProgram would do the same but binds tfjs's generated WGSL header (buffer names, uniforms,
// entry point), so the kernel could not be the standalone, parity-tested .wgsl of @webxai/shaders.
import * as tf from '@tensorflow/tfjs';
import {
  DIRECT_CONV_ACTIVATIONS,
  directConv2dBackpropInputFor,
  directConv2dFor,
  directConv2dBackpropInputInvocations,
  directConv2dInvocations,
  directConv2dBackpropInputPlaneFor,
  directConv2dBackpropInputPlaneInvocations,
  directConv2dPlaneFor,
  directConv2dPlaneInvocations,
  fitsBandKernel,
  fitsPlaneKernel,
  runKernelSync,
  type DispatchSink,
  type DirectConvActivation,
  type DirectConvGeometry,
} from '@webxai/shaders';
import { directConvGeometry, isRank4Float } from './conv-geometry.js';
import { activeAdapterInfo, isSwiftShaderAdapter, type AdapterDescription } from './tfjs-setup.js';
import { DeferredDispatchErrors, dispatchIntoNewTensor, kernelTensorBuffer, type WebGPUKernelBackend } from './webgpu-kernel-backend.js';
import { installDirectKernels, uninstallDirectKernels, type DirectKernelFamily } from './flagged-direct-kernels.js';

/**
 * tfjs env flag: true runs tfjs-webgpu's FusedConv2D, Conv2D and Conv2DBackpropInput with webxai's
 * direct convolution where it supports the attributes. Its default comes from the evaluation
 * function passed to {@link installDirectConv} (configureTfjs: software adapters only); set it to
 * false after configureTfjs (or `?tfjsflags=WEBXAI_WEBGPU_DIRECT_CONV:false` in a page URL) to keep
 * tfjs's kernels.
 */
export const DIRECT_CONV_FLAG = 'WEBXAI_WEBGPU_DIRECT_CONV';

/** The tfjs-webgpu kernels {@link installDirectConv} wraps. */
export const DIRECT_CONV_KERNELS: readonly string[] = ['FusedConv2D', 'Conv2D', 'Conv2DBackpropInput'];

/** Attributes of Conv2D, FusedConv2D and Conv2DBackpropInput (tfjs 4.22). */
interface ConvAttrs {
  readonly strides: number | [number, number];
  readonly pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  readonly dataFormat?: 'NHWC' | 'NCHW';
  readonly dilations?: number | [number, number];
  readonly dimRoundingMode?: 'floor' | 'round' | 'ceil';
  readonly activation?: string;
  readonly inputShape?: [number, number, number, number];
}

/** A convolution the direct kernels can compute, with the tensors it reads. */
export interface DirectConvPlan {
  readonly kind: 'forward' | 'backprop-input';
  readonly geometry: DirectConvGeometry;
  /** x for the forward convolution, dy for the input gradient. */
  readonly source: tf.TensorInfo;
  readonly filter: tf.TensorInfo;
  readonly bias?: tf.TensorInfo;
  readonly activation: DirectConvActivation;
}

/** Validation errors of earlier dispatches, thrown by the next call (a kernel function cannot await). */
const dispatchErrors = new DeferredDispatchErrors();

function convInfo(inShape: readonly number[], filter: tf.TensorInfo, a: ConvAttrs): tf.backend_util.Conv2DInfo {
  const format = tf.backend_util.convertConv2DDataFormat(a.dataFormat ?? 'NHWC');
  return tf.backend_util.computeConv2DInfo(
    inShape as [number, number, number, number],
    filter.shape as [number, number, number, number],
    a.strides,
    a.dilations ?? 1,
    a.pad,
    a.dimRoundingMode,
    false,
    format,
  );
}

/** A bias the kernel reads per output channel: [c] or [1, ..., 1, c]. */
function perChannelBias(bias: tf.TensorInfo, channels: number): boolean {
  const leading = bias.shape.slice(0, -1);
  return bias.dtype === 'float32' && bias.shape.at(-1) === channels && leading.every((d) => d === 1);
}

/**
 * What webxai's direct kernels would compute for one call of `kernelName`, or undefined when the
 * call needs tfjs's own kernel (unsupported layout, dilation, activation, dtype or operand).
 */
export function directConvPlan(kernelName: string, inputs: tf.NamedTensorInfoMap, attrs: unknown): DirectConvPlan | undefined {
  const a = attrs as ConvAttrs;
  const { filter } = inputs;
  if (!isRank4Float(filter) || (a.dataFormat ?? 'NHWC') !== 'NHWC') return undefined;
  if (kernelName === 'Conv2DBackpropInput') {
    const { dy } = inputs;
    if (!isRank4Float(dy) || a.inputShape?.length !== 4) return undefined;
    const info = convInfo(a.inputShape, filter, a);
    const geometry = directConvGeometry(info);
    if (!geometry || !tf.util.arraysEqual(dy.shape, info.outShape)) return undefined;
    return { kind: 'backprop-input', geometry, source: dy, filter, activation: 'linear' };
  }
  const { x, bias, preluActivationWeights } = inputs;
  if (!isRank4Float(x) || preluActivationWeights !== undefined) return undefined;
  const activation = a.activation ?? 'linear';
  if (!(activation in DIRECT_CONV_ACTIVATIONS)) return undefined;
  const geometry = directConvGeometry(convInfo(x.shape, filter, a));
  if (!geometry || (bias !== undefined && !perChannelBias(bias, geometry.outChannels))) return undefined;
  return { kind: 'forward', geometry, source: x, filter, activation: activation as DirectConvActivation, ...(bias && { bias }) };
}

/** The GPUBuffers a plan reads and writes. */
interface PlanBuffers {
  readonly source: GPUBuffer;
  readonly filter: GPUBuffer;
  readonly bias: GPUBuffer | undefined;
  readonly target: GPUBuffer;
}

/**
 * Whether the direct convolutions run their -slide kernels where those apply (column stride 1,
 * filters up to 5 wide: each input or dy cell loaded once per filter row for all its columns): on
 * SwiftShader only. There, per dispatch of MNIST's convolutions at batch 1 (headless Chromium,
 * medians of 11-14 alternating runs at load 7-16), they took 0.66 / 0.80 / 0.81 of the 8 x 8 kernel's
 * time forward and 0.59 / 0.82 / 0.85 of the narrow / 8 x 8 kernels' for the input gradients
 * (conv1 / conv2 / conv3; see direct-conv2d-slide.wgsl); explain + read of one 28x28 MNIST image
 * took 0.86 of its time for Grad-CAM and Grad-CAM++, 0.88 for saliency and 0.91 for Ablation-CAM
 * (medians of the on / off ratios of 4-6 in-page alternating runs, load 8-11). On lavapipe they were
 * slower, the more so the wider the filter (5 wide 1.4-1.6x), so it keeps the 8 x 8 and narrow
 * kernels.
 */
export function slideDirectConvolutions(adapter: AdapterDescription | undefined): boolean {
  return isSwiftShaderAdapter(adapter);
}

/**
 * Whether a convolution runs a generated kernel (direct-conv2d-plane.kernel.ts: one invocation per
 * image, result channel and result plane, or band of rows for results up to 32 wide; the plane or
 * band written out, so each weight loaded serves up to 64 positions): where they apply (filters of 3
 * x 3 and more; bands need strides 1), on SwiftShader only, like the -slide kernels. There (session
 * 20, headless Chromium, per dispatch, medians of 40 alternating rounds, load 3.5-6.8), MNIST at batch
 * 1, slide -> generated ms: conv3 forward 2.15 -> 0.80 (plane; batch 16: 34.3 -> 13.4), input
 * gradient 2.68 -> 0.76; conv2 forward 1.12-1.16 -> 0.78-0.97 (bands of 4 rows), input gradient
 * 1.00 -> 0.75; conv1 forward 0.44 -> 0.23 (bands of 2 rows), input gradient 0.37 -> 0.14. Each
 * pipeline compiles in 0.7-1.0 s instead of 0.4-0.6 s (once per geometry and page).
 */
function planeConvolution(plan: DirectConvPlan, adapter: AdapterDescription | undefined): boolean {
  return slideDirectConvolutions(adapter) && (fitsPlaneKernel(plan.geometry, plan.kind) || fitsBandKernel(plan.geometry, plan.kind));
}

const forwardKernel = (plan: DirectConvPlan, adapter: AdapterDescription | undefined) =>
  planeConvolution(plan, adapter)
    ? directConv2dPlaneFor(plan.geometry, plan.activation, plan.bias !== undefined)
    : directConv2dFor(plan.geometry, plan.activation, plan.bias !== undefined, { slide: slideDirectConvolutions(adapter) });
const inputGradientKernel = (plan: DirectConvPlan, adapter: AdapterDescription | undefined) =>
  planeConvolution(plan, adapter)
    ? directConv2dBackpropInputPlaneFor(plan.geometry)
    : directConv2dBackpropInputFor(plan.geometry, { slide: slideDirectConvolutions(adapter) });

/** The kernel `plan` runs on `adapter` (the active tfjs backend's when dispatched). */
export function directConvKernel(plan: DirectConvPlan, adapter: AdapterDescription | undefined): { readonly name: string } {
  return plan.kind === 'backprop-input' ? inputGradientKernel(plan, adapter) : forwardKernel(plan, adapter);
}

/** Records the plan's kernel into `sink`; the promise reports a validation error (see runKernelSync). */
function dispatch(device: GPUDevice, plan: DirectConvPlan, b: PlanBuffers, sink: DispatchSink): Promise<void> {
  const { batch: _batch, ...shape } = plan.geometry;
  const adapter = activeAdapterInfo();
  if (plan.kind === 'backprop-input') {
    const kernel = inputGradientKernel(plan, adapter);
    const count = planeConvolution(plan, adapter)
      ? directConv2dBackpropInputPlaneInvocations(plan.geometry)
      : directConv2dBackpropInputInvocations(plan.geometry, kernel);
    const params = { count, ...shape };
    return runKernelSync(device, kernel, { params, dy: b.source, weights: b.filter, dx: b.target }, sink);
  }
  const count = planeConvolution(plan, adapter) ? directConv2dPlaneInvocations(plan.geometry) : directConv2dInvocations(plan.geometry);
  const params = { count, ...shape };
  // Without a bias any storage buffer fills the binding (the bias-free variant never reads it).
  const inputs = { params, x: b.source, weights: b.filter, bias: b.bias ?? b.filter, y: b.target };
  return runKernelSync(device, forwardKernel(plan, adapter), inputs, sink);
}

/** Dispatches the plan into a new tfjs tensor; undefined when an input is not in a GPUBuffer. */
function runPlan(backend: WebGPUKernelBackend, plan: DirectConvPlan): tf.TensorInfo | undefined {
  const g = plan.geometry;
  const [source, filter] = [kernelTensorBuffer(backend, plan.source), kernelTensorBuffer(backend, plan.filter)];
  const bias = plan.bias && kernelTensorBuffer(backend, plan.bias);
  if (!source || !filter || (plan.bias && !bias)) return undefined;
  const outShape =
    plan.kind === 'forward' ? [g.batch, g.outHeight, g.outWidth, g.outChannels] : [g.batch, g.inHeight, g.inWidth, g.inChannels];
  const reads = [plan.source, plan.filter, ...(plan.bias ? [plan.bias] : [])];
  return dispatchIntoNewTensor(
    backend,
    { shape: outShape, kernelName: directConvKernel(plan, activeAdapterInfo()).name, reads },
    dispatchErrors,
    (target, sink) => dispatch(backend.device, plan, { source, filter, bias, target }, sink),
  );
}

const FAMILY: DirectKernelFamily<DirectConvPlan> = {
  flag: DIRECT_CONV_FLAG,
  kernels: DIRECT_CONV_KERNELS,
  errors: dispatchErrors,
  plan: directConvPlan,
  run: runPlan,
};

/**
 * Registers {@link DIRECT_CONV_FLAG} with `enabledByDefault` as its lazy default (evaluated at the
 * first wrapped conv, once the webgpu adapter is known; a value set explicitly wins) and wraps
 * tfjs-webgpu's {@link DIRECT_CONV_KERNELS}. While the flag is false, or for a call the direct
 * kernels do not cover ({@link directConvPlan}), the wrapper calls tfjs's kernel with the caller's
 * arguments untouched. Idempotent; skipped if tfjs-backend-webgpu is not imported yet. Global for
 * the page or process.
 *
 * @example
 * installDirectConv(() => true);
 * tf.conv2d(x, w, 1, 'same'); // NHWC, dilation 1: webxai's direct-conv2d kernel on tfjs's device
 */
export function installDirectConv(enabledByDefault: () => boolean): void {
  installDirectKernels(FAMILY, enabledByDefault);
}

/** Restores tfjs-webgpu's own {@link DIRECT_CONV_KERNELS} (the flag stays registered). Idempotent. */
export function uninstallDirectConv(): void {
  uninstallDirectKernels(FAMILY);
}
