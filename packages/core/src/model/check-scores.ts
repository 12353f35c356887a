// SPDX-License-Identifier: Apache-2.0
import * as tf from '@tensorflow/tfjs';
import { ModelError, UnsupportedModelError } from '@webxai/shaders';

/**
 * Every classifier webxai explains returns `[batch, classes]`.
 * @throws {UnsupportedModelError} naming the shape the model returned.
 */
export function checkScores(y: tf.Tensor, batch: number, kind: string): void {
  if (!(y instanceof tf.Tensor)) {
    if (y !== null && typeof (y as { then?: unknown }).then === 'function') {
      (y as unknown as Promise<unknown>).then(
        (v) => v instanceof tf.Tensor && v.dispose(),
        () => {},
      );
      throw new ModelError(
        `the ${kind} model returned a Promise; a model function must be synchronous, (x: Tensor4D) => Tensor2D (gradients need it). ` +
          'Wrap an asynchronous model as a black box { predict(batch, shape): Promise<Float32Array> } for the perturbation methods',
      );
    }
    throw new ModelError(
      `the ${kind} model returned ${y === null ? 'null' : typeof y}, not a tf.Tensor; it must return float32 scores of shape [${batch}, classes]`,
    );
  }
  if (y.rank !== 2 || y.shape[0] !== batch || y.dtype !== 'float32') {
    const shape = `[${y.shape}] (${y.dtype})`;
    y.dispose();
    throw new UnsupportedModelError(
      `the ${kind} model returned ${shape} for a batch of ${batch}; webxai needs float32 scores of shape [${batch}, classes]`,
    );
  }
}
