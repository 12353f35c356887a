// SPDX-License-Identifier: Apache-2.0
import * as tf from '@tensorflow/tfjs';
import { installDirectConv } from './direct-conv-kernels.js';
import { installDirectDepthwise } from './direct-depthwise-kernels.js';
import { installDirectMatmul } from './direct-matmul-kernels.js';
import { installDirectMaxPool } from './direct-max-pool-kernels.js';
import { installFusedReluGradient } from './fused-relu-gradient.js';
import { installMeanAsAvgPool } from './mean-as-avg-pool.js';
import { installRank1OperandLift } from './rank1-operand-lift.js';
import { installAddNChunks } from './add-n-chunks.js';
import { installReductionGradients } from './reduction-gradients.js';

/**
 * Sets the tfjs flags webxai's GPU path relies on; call once, before `tf.setBackend('webgpu')`.
 * - Production mode: skips tfjs's debug checks and its "install tfjs-node" banner. (Never
 *   `IS_TEST`: its kernel leak checks misfire on the webgpu backend.)
 * - `WEBGPU_CPU_FORWARD` off: tfjs otherwise computes small ops whose inputs live on the CPU on
 *   the CPU, and webxai's zero-copy interop ({@link gpuBufferOf}) then meets tensors that are not
 *   on the GPU. Keeping every op on the GPU is also what the benchmarks measure.
 * - `WEBGPU_CONV_SEPARATE_IM2COL_SHADER` on software adapters only (Chromium's SwiftShader, Dawn's
 *   lavapipe): tfjs's tiled Conv2DMM shader is slow there (workgroup barriers are emulated on the
 *   CPU); im2col + matmul made the MNIST CNN's forward passes 2.3x faster in headless Chromium
 *   (33 images: 3.0 s -> 1.3 s) and 1.85x on lavapipe, MobileNetV2-96 1.4x, same results to 1e-5;
 *   a 16-filter 32x32 toy CNN got 1.6x slower (the extra im2col pass outweighs its tiny convs).
 *   A real GPU keeps tfjs's choice.
 *   The flag is decided when tfjs first reads it (its first webgpu conv2d), once the adapter is
 *   known; a value the caller set explicitly wins.
 * - `WEBXAI_WEBGPU_LIFT_RANK1_OPERANDS` on software adapters only, decided the same lazy way:
 *   tfjs-webgpu's `Add` sees a rank-1 operand (a bias, [n,h,w,c] + [c], which tf.grad adds
 *   unfused) as [1,...,1,c], which swaps tfjs's shared-memory shader (workgroup barriers, emulated
 *   on the CPU) for its plain broadcast one; same sums, bit for bit. On SwiftShader that add at
 *   [16,28,28,16] went 75 -> 8 ms and an MNIST CNN forward + backward at batch 16 ~1.2x faster at
 *   load 3-5 (~2x at load 8-10); on lavapipe the gain is within noise (ADR 0009, decision 4).
 *   A real GPU keeps tfjs's kernel as is. To opt out, `tf.env().set('WEBXAI_WEBGPU_LIFT_RANK1_OPERANDS', false)` after
 *   this call (or `?tfjsflags=WEBXAI_WEBGPU_LIFT_RANK1_OPERANDS:false` in the page URL). The
 *   kernel is wrapped only if tfjs-backend-webgpu is imported before this call (as below).
 * - `WEBXAI_WEBGPU_DIRECT_CONV` on software adapters only, decided the same lazy way:
 *   tfjs-webgpu's FusedConv2D, Conv2D and Conv2DBackpropInput run webxai's barrier-free direct
 *   convolution (interop/direct-conv-kernels.ts) for NHWC, dilation-1, float32 convolutions with a
 *   linear / relu / relu6 activation; anything else keeps tfjs's kernel (ADR 0009, decision 5).
 *   Opt out with `tf.env().set('WEBXAI_WEBGPU_DIRECT_CONV', false)` after this call.
 * - `WEBXAI_WEBGPU_MEAN_AS_AVG_POOL` on software adapters only, decided the same lazy way:
 *   tfjs-webgpu's Mean of a float32 [n,h,w,c] tensor over axes [1,2] (global average pooling) runs
 *   tfjs's AvgPool with an [h,w] window instead of its barrier-heavy reduce program (ADR 0009,
 *   decision 6). Opt out with `tf.env().set('WEBXAI_WEBGPU_MEAN_AS_AVG_POOL', false)` after this call.
 * - `WEBXAI_WEBGPU_DIRECT_MATMUL` on software adapters only, decided the same lazy way:
 *   tfjs-webgpu's BatchMatMul and _FusedMatMul run webxai's barrier-free direct matmul
 *   (interop/direct-matmul-kernels.ts) for float32 products with a per-column bias and a linear /
 *   relu / relu6 / sigmoid / elu / leaky relu activation; anything else keeps tfjs's kernel (ADR
 *   0009, decision 7). Opt out with `tf.env().set('WEBXAI_WEBGPU_DIRECT_MATMUL', false)` after this call.
 * - `WEBXAI_WEBGPU_DIRECT_MAX_POOL` on software adapters only, decided the same lazy way:
 *   tfjs-webgpu's MaxPool of float32 NHWC maps whose channel count is a multiple of 4 runs webxai's
 *   barrier-free direct-max-pool kernel (interop/direct-max-pool-kernels.ts), the same values bit for
 *   bit as tfjs's Pool2DProgram (ADR 0009). Opt out with
 *   `tf.env().set('WEBXAI_WEBGPU_DIRECT_MAX_POOL', false)` after this call.
 * - `WEBXAI_WEBGPU_FUSED_RELU_GRADIENT` on software adapters only, decided the same lazy way: the
 *   gradient of Relu (tfjs: Step, then Multiply) runs webxai's one-pass relu-grad kernel on float32
 *   tensors of a multiple of 4 elements, the same values bit for bit (interop/fused-relu-gradient.ts,
 *   ADR 0009). Opt out with `tf.env().set('WEBXAI_WEBGPU_FUSED_RELU_GRADIENT', false)` after this call.
 * - On every webgpu device: tfjs-webgpu's AddN runs in chunks that fit the device's
 *   maxStorageBuffersPerShaderStage (tfjs 4.22 binds every input; with 8 or more inputs on a
 *   default device the pipeline is invalid and tfjs's whole pending command buffer is silently
 *   dropped; interop/add-n-chunks.ts).
 * - `WEBXAI_WEBGPU_DIRECT_DEPTHWISE` on software adapters only, decided the same lazy way:
 *   tfjs-webgpu's DepthwiseConv2dNative (where tfjs would use its scalar program) and
 *   DepthwiseConv2dNativeBackpropInput run webxai's barrier-free direct depthwise kernels
 *   (interop/direct-depthwise-kernels.ts) for NHWC float32, channel multiplier 1, dilation 1 (ADR
 *   0009, decision 8). Opt out with `tf.env().set('WEBXAI_WEBGPU_DIRECT_DEPTHWISE', false)` after this call.
 * - `WEBXAI_WEBGPU_BROADCAST_REDUCTION_GRADIENTS` on every webgpu device: the gradients of Sum and
 *   Mean broadcast dy on the GPU (tf.broadcastTo) instead of multiplying it by tfjs's host-built
 *   `ones(x.shape)`, which the webgpu backend uploads on every call (2 MB per step for
 *   visualizeFeature's objective at 128x128); the same values bit for bit
 *   (interop/reduction-gradients.ts). Opt out with
 *   `tf.env().set('WEBXAI_WEBGPU_BROADCAST_REDUCTION_GRADIENTS', false)` after this call.
 *
 * @example
 * import '@tensorflow/tfjs-backend-webgpu';
 * configureTfjs();
 * await tf.setBackend('webgpu');
 */
export function configureTfjs(): void {
  tf.enableProdMode();
  tf.env().set('WEBGPU_CPU_FORWARD', false);
  tf.env().registerFlag('WEBGPU_CONV_SEPARATE_IM2COL_SHADER', activeAdapterIsSoftware);
  installAddNChunks();
  installRank1OperandLift(activeAdapterIsSoftware);
  installDirectConv(activeAdapterIsSoftware);
  installDirectDepthwise(activeAdapterIsSoftware);
  installMeanAsAvgPool(activeAdapterIsSoftware);
  installDirectMatmul(activeAdapterIsSoftware);
  installDirectMaxPool(activeAdapterIsSoftware);
  installFusedReluGradient(activeAdapterIsSoftware);
  installReductionGradients();
}

/**
 * The default of webxai's software-adapter-only tfjs flags: whether the active tfjs backend's
 * adapter is a software one. tfjs evaluates a flag's default when it is first read, which for both
 * flags is inside a webgpu kernel, so the active backend is the webgpu one and its adapter is known.
 */
export function activeAdapterIsSoftware(): boolean {
  return isSoftwareAdapter(activeAdapterInfo());
}

/** What tfjs-backend-webgpu (its `adapterInfo`) or WebGPU (`GPUAdapter.info`) says about an adapter. */
export interface AdapterDescription {
  readonly vendor?: string;
  readonly architecture?: string;
  readonly description?: string;
}

/** An adapter's vendor, architecture and description in lower case, for matching names. */
function adapterText(info: AdapterDescription | undefined): string {
  return `${info?.vendor ?? ''} ${info?.architecture ?? ''} ${info?.description ?? ''}`.toLowerCase();
}

/** True for Chromium's SwiftShader (a software adapter with its own costs: see fuseFftStages). */
export function isSwiftShaderAdapter(info: AdapterDescription | undefined): boolean {
  return /swiftshader/.test(adapterText(info));
}

/**
 * True for Mesa's lavapipe (llvmpipe: shaders compiled by LLVM to SoA code on the CPU). tfjs's
 * adapterInfo has no description, only Dawn's vendor and architecture: "mesa" and "software".
 */
export function isLlvmpipeAdapter(info: AdapterDescription | undefined): boolean {
  const text = adapterText(info);
  return /lavapipe|llvmpipe/.test(text) || (/\bmesa\b/.test(text) && /\bsoftware\b/.test(text));
}

/** The active tfjs backend's adapter, as tfjs-backend-webgpu describes it (undefined on other backends). */
export function activeAdapterInfo(): AdapterDescription | undefined {
  return (tf.backend() as { adapterInfo?: AdapterDescription }).adapterInfo;
}

/** True for adapters that run shaders on the CPU: SwiftShader, lavapipe / llvmpipe ("software"). */
export function isSoftwareAdapter(info: AdapterDescription | undefined): boolean {
  return /swiftshader|lavapipe|llvmpipe|software/.test(adapterText(info));
}
