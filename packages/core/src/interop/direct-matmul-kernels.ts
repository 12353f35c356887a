// SPDX-License-Identifier: Apache-2.0
// Why this exists: tfjs-backend-webgpu 4.22 multiplies matrices with programs that share
// workgroup memory behind workgroupBarriers (a tiled matmul; for outputs of <= 128 values one
// 256-invocation workgroup per output that reduces behind 8 barriers), which software adapters
// (SwiftShader, lavapipe) emulate on the CPU. On the MNIST CNN at batch 1 in headless Chromium the
// dense layer's input gradient, BatchMatMul [1,1,10] x [1,64,10]^T, took 17-44 ms and its forward
// _FusedMatMul 3-9 ms, more than the three convolutions (docs/decisions/0009, Decision 7). On
// software adapters this re-registers tfjs-webgpu's BatchMatMul and _FusedMatMul so that float32
// products run webxai's barrier-free direct-matmul kernel; every other call (prelu, a bias that
// is not per column, batch shapes tfjs broadcasts otherwise, int32, texture-backed tensors) calls tfjs's own kernel with the caller's arguments untouched.
// It runs like direct-conv-kernels.ts: runKernelSync on tfjs's device, reading the inputs' buffers
// and writing the buffer of an output tensor tfjs made, recorded into tfjs's own compute pass.
import * as tf from '@tensorflow/tfjs';
import {
  DIRECT_MATMUL_ACTIVATIONS,
  directMatmul,
  directMatmulFor,
  directMatmulInvocations,
  runKernelSync,
  type DirectMatmulActivation,
  type DirectMatmulModes,
} from '@webxai/shaders';
import { DeferredDispatchErrors, dispatchIntoNewTensor, kernelTensorBuffer, type WebGPUKernelBackend } from './webgpu-kernel-backend.js';
import { installDirectKernels, uninstallDirectKernels, type DirectKernelFamily } from './flagged-direct-kernels.js';

/**
 * tfjs env flag: true runs tfjs-webgpu's BatchMatMul and _FusedMatMul with webxai's direct matmul
 * where it supports the call. Its default comes from the evaluation function passed to
 * {@link installDirectMatmul} (configureTfjs: software adapters only); set it to false after
 * configureTfjs (or `?tfjsflags=WEBXAI_WEBGPU_DIRECT_MATMUL:false` in a page URL) to keep tfjs's kernels.
 */
export const DIRECT_MATMUL_FLAG = 'WEBXAI_WEBGPU_DIRECT_MATMUL';

/** The tfjs-webgpu kernels {@link installDirectMatmul} wraps. */
export const DIRECT_MATMUL_KERNELS: readonly string[] = ['BatchMatMul', '_FusedMatMul'];

/** Attributes of BatchMatMul and _FusedMatMul (tfjs 4.22). */
interface MatmulAttrs {
  readonly transposeA?: boolean;
  readonly transposeB?: boolean;
  readonly activation?: string | null;
  readonly leakyreluAlpha?: number;
}

/** A product the direct kernel can compute, with the tensors it reads. */
export interface DirectMatmulPlan {
  readonly a: tf.TensorInfo;
  readonly b: tf.TensorInfo;
  readonly bias?: tf.TensorInfo;
  /** The output's shape: the broadcast batch dimensions, then [rows, cols]. */
  readonly outShape: number[];
  /** The kernel variant (directMatmulFor). */
  readonly modes: DirectMatmulModes;
  readonly params: {
    readonly count: number;
    readonly rows: number;
    readonly cols: number;
    readonly inner: number;
    readonly aBatches: number;
    readonly bBatches: number;
    readonly alpha: number;
  };
}

/** Validation errors of earlier dispatches, thrown by the next call (a kernel function cannot await). */
const dispatchErrors = new DeferredDispatchErrors();

const isFloat = (t: tf.TensorInfo | undefined): t is tf.TensorInfo => t !== undefined && t.dtype === 'float32' && t.shape.length >= 2;

/**
 * The output's batch dimensions when the kernel's one-batch broadcast computes them (equal batch
 * shapes, or one operand with a single matrix), otherwise undefined (tfjs's kernel decides).
 */
function batchShape(a: readonly number[], b: readonly number[]): number[] | undefined {
  const [outerA, outerB] = [a.slice(0, -2), b.slice(0, -2)];
  const [countA, countB] = [tf.util.sizeFromShape(outerA), tf.util.sizeFromShape(outerB)];
  if (tf.util.arraysEqual(outerA, outerB)) return outerA;
  if (countA !== 1 && countB !== 1) return undefined;
  try {
    return tf.broadcast_util.assertAndGetBroadcastShape(outerA, outerB);
  } catch {
    return undefined; // tfjs's kernel reports the mismatch
  }
}

/** A bias the kernel adds per output column: [cols] or [1, ..., 1, cols]. */
function perColumnBias(bias: tf.TensorInfo, cols: number): boolean {
  return bias.dtype === 'float32' && bias.shape.at(-1) === cols && bias.shape.slice(0, -1).every((d) => d === 1);
}

/**
 * What webxai's direct matmul would compute for one BatchMatMul / _FusedMatMul call, or undefined
 * when the call needs tfjs's own kernel (dtype, prelu, bias layout, batch broadcast, an empty
 * product). Sizes are not limited: from [1,10] x [10,64] to [16,1280] x [1280,1000] and
 * visualizeFeature's [1536,136] x [136,128] the direct kernel was faster than tfjs's on SwiftShader
 * (2.7-14x) and on lavapipe (1.1-8x) (ADR 0009, Decision 7).
 */
export function directMatmulPlan(inputs: tf.NamedTensorInfoMap, attrs: unknown): DirectMatmulPlan | undefined {
  const { a, b, bias, preluActivationWeights } = inputs;
  const { transposeA = false, transposeB = false, leakyreluAlpha = 0.2 } = (attrs ?? {}) as MatmulAttrs;
  const activation = (attrs as MatmulAttrs | undefined)?.activation ?? 'linear';
  if (!isFloat(a) || !isFloat(b) || preluActivationWeights !== undefined || !(activation in DIRECT_MATMUL_ACTIVATIONS)) return undefined;
  const [ra, ca] = a.shape.slice(-2) as [number, number];
  const [rb, cb] = b.shape.slice(-2) as [number, number];
  const [rows, inner] = transposeA ? [ca, ra] : [ra, ca];
  const [innerB, cols] = transposeB ? [cb, rb] : [rb, cb];
  const outer = batchShape(a.shape, b.shape);
  if (!outer || inner !== innerB || (bias !== undefined && !perColumnBias(bias, cols))) return undefined;
  const batch = tf.util.sizeFromShape(outer);
  if (batch * rows * cols * inner === 0) return undefined;
  const params = {
    count: directMatmulInvocations({ batch, rows, cols }),
    rows,
    cols,
    inner,
    aBatches: tf.util.sizeFromShape(a.shape.slice(0, -2)),
    bBatches: tf.util.sizeFromShape(b.shape.slice(0, -2)),
    alpha: leakyreluAlpha,
  };
  const modes = { activation: activation as DirectMatmulActivation, hasBias: bias !== undefined, transposeA, transposeB };
  return { a, b, outShape: [...outer, rows, cols], modes, params, ...(bias && { bias }) };
}

/** Dispatches the plan into a new tfjs tensor; undefined when an input is not in a GPUBuffer. */
function runPlan(backend: WebGPUKernelBackend, plan: DirectMatmulPlan): tf.TensorInfo | undefined {
  const [a, b] = [kernelTensorBuffer(backend, plan.a), kernelTensorBuffer(backend, plan.b)];
  const bias = plan.bias && kernelTensorBuffer(backend, plan.bias);
  if (!a || !b || (plan.bias && !bias)) return undefined;
  // Without a bias any storage buffer fills the binding (HAS_BIAS false: never read).
  const target = { shape: plan.outShape, kernelName: directMatmul.name, reads: [plan.a, plan.b, ...(plan.bias ? [plan.bias] : [])] };
  return dispatchIntoNewTensor(backend, target, dispatchErrors, (out, sink) =>
    runKernelSync(backend.device, directMatmulFor(plan.modes), { params: plan.params, a, b, bias: bias ?? b, out }, sink),
  );
}

const FAMILY: DirectKernelFamily<DirectMatmulPlan> = {
  flag: DIRECT_MATMUL_FLAG,
  kernels: DIRECT_MATMUL_KERNELS,
  errors: dispatchErrors,
  plan: (_kernelName, inputs, attrs) => directMatmulPlan(inputs, attrs),
  run: runPlan,
};

/**
 * Registers {@link DIRECT_MATMUL_FLAG} with `enabledByDefault` as its lazy default (evaluated at
 * the first wrapped matmul, once the webgpu adapter is known; a value set explicitly wins) and
 * wraps tfjs-webgpu's {@link DIRECT_MATMUL_KERNELS}. While the flag is false, or for a call the
 * direct kernel does not cover ({@link directMatmulPlan}), the wrapper calls tfjs's kernel with the
 * caller's arguments untouched. Idempotent; skipped if tfjs-backend-webgpu is not imported yet.
 * Global for the page or process.
 *
 * @example
 * installDirectMatmul(() => true);
 * tf.matMul(x, w); // [1,64] x [64,10]: webxai's direct-matmul kernel on tfjs's device
 */
export function installDirectMatmul(enabledByDefault: () => boolean): void {
  installDirectKernels(FAMILY, enabledByDefault);
}

/** Restores tfjs-webgpu's own {@link DIRECT_MATMUL_KERNELS} (the flag stays registered). Idempotent. */
export function uninstallDirectMatmul(): void {
  uninstallDirectKernels(FAMILY);
}
