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
function readoutOps(first: tf.Tensor, second: tf.Tensor | undefined, parts: readonly tf.Tensor[]): tf.Tensor1D {
  return tf.tidy(() =>
    tf.concat<tf.Tensor1D>([
      finiteFlag(first),
      second ? finiteFlag(second) : tf.ones<tf.Rank.R1>([1]),
      ...parts.map((part) => tf.cast<tf.Tensor1D>(tf.reshape(part, [-1]), 'float32')),
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

/** Values parts the kernel copies at most (its values, values2 and values3 bindings). */
const KERNEL_PARTS = 3;

/** Whether the kernel reads these tensors: float32 checks within the limit, up to three float32 or int32 values parts. */
function kernelTakes(first: tf.Tensor, second: tf.Tensor | undefined, parts: readonly tf.Tensor[]): boolean {
  if (tf.getBackend() !== 'webgpu' || first.size + (second?.size ?? 0) > FINITE_READOUT_LIMIT || parts.length > KERNEL_PARTS) return false;
  const backend = tf.backend() as unknown as WebGPUKernelBackend;
  const float = (t: tf.Tensor | undefined) => !t || storedDtype(backend, t) === 'float32';
  return float(first) && float(second) && parts.every((part) => float(part) || storedDtype(backend, part) === 'int32');
}

/** The readout with webxai's finite-readout kernel, recorded into tfjs's stream. */
function readoutKernel(first: tf.Tensor, second: tf.Tensor | undefined, parts: readonly tf.Tensor[]): tf.Tensor1D {
  dispatchErrors.throwPending();
  const backend = tf.backend() as unknown as WebGPUKernelBackend;
  const buffer = (t: tf.Tensor) => kernelTensorBuffer(backend, t)!;
  const firstBuffer = buffer(first);
  const reads = [first, ...(second ? [second] : []), ...parts];
  // An unused binding still needs a buffer: the counts say what is read.
  const [p0, p1, p2] = [0, 1, 2].map((i) => parts[i]);
  const count = (part: tf.Tensor | undefined) => part?.size ?? 0;
  const int = (part: tf.Tensor | undefined) => (part && storedDtype(backend, part) === 'int32' ? 1 : 0);
  const bound = (part: tf.Tensor | undefined) => (part ? buffer(part) : firstBuffer);
  const target = { shape: [2 + count(p0) + count(p1) + count(p2)], kernelName: finiteReadout.name, reads };
  const info = dispatchIntoNewTensor(backend, target, dispatchErrors, (output, sink) =>
    runKernelSync(
      backend.device,
      finiteReadout,
      {
        params: {
          firstCount: first.size,
          secondCount: second?.size ?? 0,
          valueCount: count(p0),
          valuesInt: int(p0),
          value2Count: count(p1),
          values2Int: int(p1),
          value3Count: count(p2),
          values3Int: int(p2),
        },
        first: firstBuffer,
        second: second ? buffer(second) : firstBuffer,
        values: bound(p0),
        output,
        values2: bound(p1),
        values3: bound(p2),
      },
      sink,
    ),
  );
  return tf.engine().makeTensorFromTensorInfo(info) as tf.Tensor1D;
}

/**
 * `[first all finite, second all finite (1 without second), ...parts as float32]`, read back in one
 * readback; the parts each flattened, one after another (up to three cost no Concat on webgpu).
 * Inputs are not disposed.
 */
export async function readFinite(first: tf.Tensor, second?: tf.Tensor, parts: readonly tf.Tensor[] = []): Promise<Float32Array> {
  const readout = kernelTakes(first, second, parts) ? readoutKernel(first, second, parts) : readoutOps(first, second, parts);
  try {
    return (await readout.data()) as Float32Array;
  } finally {
    readout.dispose();
  }
}
