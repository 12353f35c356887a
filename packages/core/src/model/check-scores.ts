// SPDX-License-Identifier: Apache-2.0
import type * as tf from '@tensorflow/tfjs';
import { UnsupportedModelError } from '@webxai/shaders';

/**
 * Every classifier webxai explains returns `[batch, classes]`.
 * @throws {UnsupportedModelError} naming the shape the model returned.
 */
export function checkScores(y: tf.Tensor, batch: number, kind: string): void {
  if (y.rank !== 2 || y.shape[0] !== batch || y.dtype !== 'float32') {
    const shape = `[${y.shape}] (${y.dtype})`;
    y.dispose();
    throw new UnsupportedModelError(
      `the ${kind} model returned ${shape} for a batch of ${batch}; webxai needs float32 scores of shape [${batch}, classes]`,
    );
  }
}
