// SPDX-License-Identifier: Apache-2.0
// Why this exists: tfjs-backend-webgpu 4.22's BinaryOpProgram (Add, Sub, Multiply, ...) picks a "shared" shader when one
// operand is rank-1 (< 128 values) and the other has rank >= 2 — exactly a conv or dense bias add,
// [n,h,w,c] + [c]. That shader copies the rank-1 operand into workgroup memory behind a
// workgroupBarrier, which software adapters (SwiftShader, lavapipe) emulate very slowly: on
// SwiftShader add([16,28,28,16], [16]) took 192 ms, the same add with the bias as [1,1,1,16] 9-15 ms
// (docs/decisions/0009, Decision 4). Broadcasting already treats [c] as [1,...,1,c], so handing
// tfjs's own kernel that view selects its plain broadcast shader with the same per-element
// operation: the same bits, and no new tensor (the view shares the operand's data, nothing to dispose).
// Gradients are untouched: tfjs's tape records the caller's tensors, not the view.
import * as tf from '@tensorflow/tfjs';
import { replaceWebgpuKernel, restoreWebgpuKernel } from './webgpu-kernel-replacement.js';

/**
 * tfjs env flag: true lets the webgpu kernels in {@link LIFTED_KERNELS} see a rank-1 operand as
 * [1,...,1,c]. Its default comes from the evaluation function passed to
 * {@link installRank1OperandLift} (configureTfjs: software adapters only); set it to false after
 * configureTfjs (or `?tfjsflags=WEBXAI_WEBGPU_LIFT_RANK1_OPERANDS:false` in a page URL) to keep
 * tfjs's kernels exactly as they are.
 */
export const LIFT_RANK1_OPERANDS_FLAG = 'WEBXAI_WEBGPU_LIFT_RANK1_OPERANDS';

/**
 * The webgpu kernels whose rank-1 operand is lifted: every tfjs-webgpu 4.22 kernel built on
 * BinaryOpProgram (binaryKernelFunc). Add was the first measured (conv and dense bias adds); the
 * gradients of batch normalisation hit Multiply and Sub the same way ([n,h,w,c] * [c] with c < 128:
 * on SwiftShader, MobileNetV2's one forward + backward pass spent 2.4 s in Multiply and 1.4 s in Sub
 * at 224x224, 18-25x tfjs-cpu's time for the same ops).
 */
export const LIFTED_KERNELS: readonly string[] = [
  'Add',
  'Atan2',
  'Equal',
  'FloorDiv',
  'Greater',
  'GreaterEqual',
  'Less',
  'LessEqual',
  'LogicalAnd',
  'LogicalOr',
  'Maximum',
  'Minimum',
  'Mod',
  'Multiply',
  'NotEqual',
  'Pow',
  'RealDiv',
  'SquaredDifference',
  'Sub',
];

/**
 * The shape broadcasting gives `shape` against `other`: a rank-1 shape [c] becomes [1,...,1,c] of
 * `other`'s rank when that rank is at least 2; any other shape is returned unchanged (a copy).
 */
export function liftedShape(shape: readonly number[], other: readonly number[]): number[] {
  if (shape.length !== 1 || other.length < 2) return [...shape];
  return [...Array<number>(other.length - 1).fill(1), ...shape];
}

/** tfjs's binary kernel, called with its rank-1 operand seen as [1,...,1,c] while the flag is on. */
function liftingRank1Operand(original: tf.KernelFunc): tf.KernelFunc {
  return (params) => {
    const { a, b } = params.inputs as { a?: tf.TensorInfo; b?: tf.TensorInfo };
    if (a === undefined || b === undefined || !tf.env().getBool(LIFT_RANK1_OPERANDS_FLAG)) return original(params);
    const inputs = {
      ...params.inputs,
      a: { ...a, shape: liftedShape(a.shape, b.shape) },
      b: { ...b, shape: liftedShape(b.shape, a.shape) },
    };
    return original({ ...params, inputs });
  };
}

/**
 * Registers {@link LIFT_RANK1_OPERANDS_FLAG} with `enabledByDefault` as its lazy default (tfjs
 * evaluates it at the first lifted kernel call, so the webgpu adapter is known by then; a value
 * set explicitly wins) and wraps tfjs-webgpu's {@link LIFTED_KERNELS}. While the flag is false the
 * wrapper calls tfjs's kernel with the caller's inputs untouched. Idempotent; skipped if
 * tfjs-backend-webgpu is not imported yet. Global for the page or process.
 *
 * @example
 * installRank1OperandLift(() => true);
 * tf.add(tf.ones([2, 4, 4, 3]), tf.tensor1d([1, 2, 3])); // tfjs's Add with the bias as [1,1,1,3]
 */
export function installRank1OperandLift(enabledByDefault: () => boolean): void {
  tf.env().registerFlag(LIFT_RANK1_OPERANDS_FLAG, enabledByDefault);
  for (const kernelName of LIFTED_KERNELS) {
    replaceWebgpuKernel(kernelName, (original) => liftingRank1Operand(original.kernelFunc));
  }
}

/** Restores tfjs-webgpu's own kernels in {@link LIFTED_KERNELS} (the flag stays registered). Idempotent. */
export function uninstallRank1OperandLift(): void {
  for (const kernelName of LIFTED_KERNELS) restoreWebgpuKernel(kernelName);
}
