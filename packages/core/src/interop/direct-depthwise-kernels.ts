// SPDX-License-Identifier: Apache-2.0
// Why this exists: tfjs-backend-webgpu 4.22's depthwise convolution kernels are slow on software
// adapters (SwiftShader, lavapipe): in a MobileNetV2-224 forward + backward pass in headless
// Chromium, DepthwiseConv2dNativeBackpropInput took 5-10x tfjs-cpu's time for the same op
// ([1,56,56,96] x [3,3,96,1]: 289 ms vs 28 ms), 1.1-2.3 s in all. On software adapters this
// re-registers DepthwiseConv2dNativeBackpropInput and DepthwiseConv2dNative so that the NHWC,
// channel-multiplier-1, dilation-1, float32 cases (tfjs-layers' DepthwiseConv2D default) run
// webxai's barrier-free direct-depthwise kernels; every other case calls tfjs's own kernel with
// the caller's arguments untouched. The forward keeps tfjs's kernel where tfjs picks its fast vec4
// shader (channels a multiple of 4: all of MobileNetV2) and replaces only its slow fallback
// ({@link directDepthwisePlan}). FusedDepthwiseConv2D stays tfjs's: tfjs-layers models
// (MobileNetV2 under tf.grad and in predict) never reach it; converted graph models do.
//
// How it runs: exactly like direct-conv-kernels.ts (runKernelSync recorded into tfjs's own compute
// pass, writing the buffer of an output tensor tfjs made; nothing is ours to dispose).
import * as tf from '@tensorflow/tfjs';
import {
  directDepthwiseConv2d,
  directDepthwiseConv2dBackpropInput,
  directDepthwiseConv2dBackpropInputInvocations,
  directDepthwiseConv2dInvocations,
  runKernelSync,
  type DirectConvGeometry,
} from '@webxai/shaders';
import { DeferredDispatchErrors, dispatchIntoNewTensor, kernelTensorBuffer, type WebGPUKernelBackend } from './webgpu-kernel-backend.js';
import { directConvGeometry, isRank4Float } from './conv-geometry.js';
import { installDirectKernels, uninstallDirectKernels, type DirectKernelFamily } from './flagged-direct-kernels.js';

/**
 * tfjs env flag: true runs tfjs-webgpu's DepthwiseConv2dNative and
 * DepthwiseConv2dNativeBackpropInput with webxai's direct depthwise kernels where they support the
 * attributes. Its default comes from the evaluation function passed to
 * {@link installDirectDepthwise} (configureTfjs: software adapters only); set it to false after
 * configureTfjs (or `?tfjsflags=WEBXAI_WEBGPU_DIRECT_DEPTHWISE:false` in a page URL) to keep tfjs's
 * kernels.
 */
export const DIRECT_DEPTHWISE_FLAG = 'WEBXAI_WEBGPU_DIRECT_DEPTHWISE';

/** The tfjs-webgpu kernels {@link installDirectDepthwise} wraps. */
export const DIRECT_DEPTHWISE_KERNELS: readonly string[] = ['DepthwiseConv2dNative', 'DepthwiseConv2dNativeBackpropInput'];

/** Attributes of DepthwiseConv2dNative and DepthwiseConv2dNativeBackpropInput (tfjs 4.22). */
interface DepthwiseAttrs {
  readonly strides: number | [number, number];
  readonly pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  readonly dataFormat?: 'NHWC' | 'NCHW';
  readonly dilations?: number | [number, number];
  readonly dimRoundingMode?: 'floor' | 'round' | 'ceil';
  readonly inputShape?: [number, number, number, number];
}

/** A depthwise convolution the direct kernels can compute, with the tensors it reads. */
export interface DirectDepthwisePlan {
  readonly kind: 'forward' | 'backprop-input';
  /** outChannels == inChannels (channel multiplier 1). */
  readonly geometry: DirectConvGeometry;
  /** x for the forward convolution, dy for the input gradient. */
  readonly source: tf.TensorInfo;
  readonly filter: tf.TensorInfo;
}

/** Validation errors of earlier dispatches, thrown by the next call (a kernel function cannot await). */
const dispatchErrors = new DeferredDispatchErrors();

/** The direct-kernel geometry of tfjs's depthwise conv info, or undefined when the kernels do not cover it. */
function geometryOf(inShape: readonly number[], filter: tf.TensorInfo, a: DepthwiseAttrs): DirectConvGeometry | undefined {
  const info = tf.backend_util.computeConv2DInfo(
    inShape as [number, number, number, number],
    filter.shape as [number, number, number, number],
    a.strides,
    a.dilations ?? 1,
    a.pad,
    a.dimRoundingMode,
    true,
  );
  return info.outChannels === info.inChannels ? directConvGeometry(info) : undefined;
}

/**
 * What webxai's direct depthwise kernels would compute for one call of `kernelName`, or undefined
 * when the call needs tfjs's own kernel (NCHW, channel multiplier other than 1, dilation, dtype)
 * or tfjs's is the faster one (a forward tfjs runs with its vec4 shader).
 */
export function directDepthwisePlan(kernelName: string, inputs: tf.NamedTensorInfoMap, attrs: unknown): DirectDepthwisePlan | undefined {
  const a = attrs as DepthwiseAttrs;
  const { filter } = inputs;
  if (!isRank4Float(filter) || filter.shape[3] !== 1 || (a.dataFormat ?? 'NHWC') !== 'NHWC') return undefined;
  if (kernelName === 'DepthwiseConv2dNativeBackpropInput') {
    const { dy } = inputs;
    if (!isRank4Float(dy) || a.inputShape?.length !== 4) return undefined;
    const geometry = geometryOf(a.inputShape, filter, a);
    if (!geometry) return undefined;
    const { batch, outHeight, outWidth, outChannels } = geometry;
    return tf.util.arraysEqual(dy.shape, [batch, outHeight, outWidth, outChannels])
      ? { kind: 'backprop-input', geometry, source: dy, filter }
      : undefined;
  }
  const { x } = inputs;
  if (!isRank4Float(x)) return undefined;
  const geometry = geometryOf(x.shape, filter, a);
  return geometry && !tfjsUsesVec4Program(geometry) ? { kind: 'forward', geometry, source: x, filter } : undefined;
}

/**
 * Whether tfjs-webgpu 4.22 runs this forward depthwise convolution with its DepthwiseConv2DVec4Program
 * (its own condition): a barrier-free vec4 shader that was ~1.3-2x faster than direct-depthwise-conv2d
 * on lavapipe ([1,112,112,32] 3x3: 4.4 vs 8.4 ms; the sum over MobileNetV2-224's depthwise layers
 * 26 vs 32 ms), so webxai keeps it. Elsewhere tfjs falls back to a one-output-per-invocation shader
 * the direct kernel beats ([1,112,112,30]: 18.4 vs 8.4 ms).
 */
function tfjsUsesVec4Program(g: DirectConvGeometry): boolean {
  return g.outHeight > 4 && g.outWidth > 4 && g.strideWidth <= 2 && g.inChannels % 4 === 0;
}

/** Dispatches the plan into a new tfjs tensor; undefined when an input is not in a GPUBuffer. */
function runPlan(backend: WebGPUKernelBackend, plan: DirectDepthwisePlan): tf.TensorInfo | undefined {
  const g = plan.geometry;
  const [source, weights] = [kernelTensorBuffer(backend, plan.source), kernelTensorBuffer(backend, plan.filter)];
  if (!source || !weights) return undefined;
  const { batch: _batch, ...shape } = g;
  const reads = [plan.source, plan.filter];
  if (plan.kind === 'forward') {
    const params = { count: directDepthwiseConv2dInvocations(g), ...shape };
    const target = { shape: [g.batch, g.outHeight, g.outWidth, g.outChannels], kernelName: directDepthwiseConv2d.name, reads };
    return dispatchIntoNewTensor(backend, target, dispatchErrors, (y, sink) =>
      runKernelSync(backend.device, directDepthwiseConv2d, { params, x: source, weights, y }, sink),
    );
  }
  const params = { count: directDepthwiseConv2dBackpropInputInvocations(g), ...shape };
  const target = { shape: [g.batch, g.inHeight, g.inWidth, g.inChannels], kernelName: directDepthwiseConv2dBackpropInput.name, reads };
  return dispatchIntoNewTensor(backend, target, dispatchErrors, (dx, sink) =>
    runKernelSync(backend.device, directDepthwiseConv2dBackpropInput, { params, dy: source, weights, dx }, sink),
  );
}

const FAMILY: DirectKernelFamily<DirectDepthwisePlan> = {
  flag: DIRECT_DEPTHWISE_FLAG,
  kernels: DIRECT_DEPTHWISE_KERNELS,
  errors: dispatchErrors,
  plan: directDepthwisePlan,
  run: runPlan,
};

/**
 * Registers {@link DIRECT_DEPTHWISE_FLAG} with `enabledByDefault` as its lazy default (evaluated
 * at the first wrapped call, once the webgpu adapter is known; a value set explicitly wins) and
 * wraps tfjs-webgpu's {@link DIRECT_DEPTHWISE_KERNELS}. While the flag is false, or for a call the
 * direct kernels do not cover ({@link directDepthwisePlan}), the wrapper calls tfjs's kernel with
 * the caller's arguments untouched. Idempotent; skipped if tfjs-backend-webgpu is not imported
 * yet. Global for the page or process.
 *
 * @example
 * installDirectDepthwise(() => true);
 * tf.depthwiseConv2d(x, w, 1, 'same'); // NHWC, w [3, 3, c, 1]: webxai's direct-depthwise-conv2d
 */
export function installDirectDepthwise(enabledByDefault: () => boolean): void {
  installDirectKernels(FAMILY, enabledByDefault);
}

/** Restores tfjs-webgpu's own {@link DIRECT_DEPTHWISE_KERNELS} (the flag stays registered). Idempotent. */
export function uninstallDirectDepthwise(): void {
  uninstallDirectKernels(FAMILY);
}
