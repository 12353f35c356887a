// SPDX-License-Identifier: Apache-2.0
// Why this exists: a single-image explanation ends in one readback that carries the input's NaN/Inf
// check, the scores' check (saliency) and a few values (map peaks, chosen classes). As tfjs ops that
// readback took 4-9 dispatches (IsFinite, All, Cast, LogicalNot, Concat per check), ~0.1-0.2 ms each
// on Chromium's SwiftShader, All a tree reduction behind emulated barriers (session 15). On webgpu
// the finite-readout kernel does it in one dispatch, recorded into tfjs's stream (no submit of its
// own); elsewhere, and for tensors too big for its one workgroup, tfjs's ops give the same values.
import * as tf from '@tensorflow/tfjs';
import { finiteReadout, runKernelSync } from '@webxai/shaders';
import { DeferredDispatchErrors, dispatchIntoNewTensor, kernelTensorBuffer, type WebGPUKernelBackend } from './webgpu-kernel-backend.js';

/** Values the kernel's one workgroup checks at most (first + second); bigger checks use tfjs's parallel ops. */
export const FINITE_READOUT_LIMIT = 1 << 16;

const dispatchErrors = new DeferredDispatchErrors();

/** `[1]` float32: 1 when every value of `x` is finite, else 0 (tfjs ops). */
function finiteFlag(x: tf.Tensor): tf.Tensor1D {
  return tf.tidy(() => tf.reshape(tf.cast(tf.all(tf.isFinite(x)), 'float32'), [1]));
}

/** The same readout with tfjs ops. */
function readoutOps(first: tf.Tensor, second: tf.Tensor | undefined, values: tf.Tensor | undefined): tf.Tensor1D {
  return tf.tidy(() =>
    tf.concat<tf.Tensor1D>([
      finiteFlag(first),
      second ? finiteFlag(second) : tf.ones<tf.Rank.R1>([1]),
      ...(values ? [tf.cast<tf.Tensor1D>(tf.reshape(values, [-1]), 'float32')] : []),
    ]),
  );
}

/**
 * The dtype of `t`'s data on the webgpu backend: tfjs-webgpu's int32 -> float32 Cast keeps the int32
 * data under a float32 tensor, so the tensor's own dtype does not say what its buffer holds.
 */
function storedDtype(backend: WebGPUKernelBackend, t: tf.Tensor): string | undefined {
  return (backend.tensorMap.get(t.dataId) as { dtype?: string } | undefined)?.dtype;
}

/** Whether the kernel reads these tensors: float32 checks within the limit, float32 or int32 values. */
function kernelTakes(first: tf.Tensor, second: tf.Tensor | undefined, values: tf.Tensor | undefined): boolean {
  if (tf.getBackend() !== 'webgpu' || first.size + (second?.size ?? 0) > FINITE_READOUT_LIMIT) return false;
  const backend = tf.backend() as unknown as WebGPUKernelBackend;
  const float = (t: tf.Tensor | undefined) => !t || storedDtype(backend, t) === 'float32';
  return float(first) && float(second) && (float(values) || storedDtype(backend, values!) === 'int32');
}

/** The readout with webxai's finite-readout kernel, recorded into tfjs's stream. */
function readoutKernel(first: tf.Tensor, second: tf.Tensor | undefined, values: tf.Tensor | undefined): tf.Tensor1D {
  dispatchErrors.throwPending();
  const backend = tf.backend() as unknown as WebGPUKernelBackend;
  const buffer = (t: tf.Tensor) => kernelTensorBuffer(backend, t)!;
  const firstBuffer = buffer(first);
  const reads = [first, second, values].filter((t): t is tf.Tensor => t !== undefined);
  const valueCount = values?.size ?? 0;
  const valuesInt = values && storedDtype(backend, values) === 'int32' ? 1 : 0;
  const target = { shape: [2 + valueCount], kernelName: finiteReadout.name, reads };
  const info = dispatchIntoNewTensor(backend, target, dispatchErrors, (output, sink) =>
    runKernelSync(
      backend.device,
      finiteReadout,
      {
        params: { firstCount: first.size, secondCount: second?.size ?? 0, valueCount, valuesInt },
        first: firstBuffer,
        // An unused binding still needs a buffer: the counts say what is read.
        second: second ? buffer(second) : firstBuffer,
        values: values ? buffer(values) : firstBuffer,
        output,
      },
      sink,
    ),
  );
  return tf.engine().makeTensorFromTensorInfo(info) as tf.Tensor1D;
}

/**
 * `[first all finite, second all finite (1 without second), ...values as float32]`, read back in one
 * readback. Inputs are not disposed.
 */
export async function readFinite(first: tf.Tensor, second?: tf.Tensor, values?: tf.Tensor): Promise<Float32Array> {
  const readout = kernelTakes(first, second, values) ? readoutKernel(first, second, values) : readoutOps(first, second, values);
  try {
    return (await readout.data()) as Float32Array;
  } finally {
    readout.dispose();
  }
}
