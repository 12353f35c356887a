// SPDX-License-Identifier: Apache-2.0
import * as tf from '@tensorflow/tfjs';

/**
 * Sets the tfjs flags webxai's GPU path relies on; call once, before `tf.setBackend('webgpu')`.
 * - Production mode: skips tfjs's debug checks and its "install tfjs-node" banner. (Never
 *   `IS_TEST`: its kernel leak checks misfire on the webgpu backend.)
 * - `WEBGPU_CPU_FORWARD` off: tfjs otherwise computes small ops whose inputs live on the CPU on
 *   the CPU, and webxai's zero-copy interop ({@link gpuBufferOf}) then meets tensors that are not
 *   on the GPU. Keeping every op on the GPU is also what the benchmarks measure.
 *
 * @example
 * import '@tensorflow/tfjs-backend-webgpu';
 * configureTfjs();
 * await tf.setBackend('webgpu');
 */
export function configureTfjs(): void {
  tf.enableProdMode();
  tf.env().set('WEBGPU_CPU_FORWARD', false);
}
