// SPDX-License-Identifier: Apache-2.0
import * as tf from '@tensorflow/tfjs';

/**
 * Disposes every tensor a result holds (`attribution`, and e.g. CAM's `map` or LIME's `segments`),
 * including tensors in arrays one level deep. Results follow tfjs rules: the caller owns them.
 *
 * @example
 * const r = await explain(model, image, { method: 'grad-cam' });
 * draw(await r.attribution.data());
 * disposeResult(r); // attribution and map
 */
export function disposeResult(result: object): void {
  for (const value of Object.values(result)) {
    if (value instanceof tf.Tensor) value.dispose();
    else if (Array.isArray(value)) for (const item of value) if (item instanceof tf.Tensor) item.dispose();
  }
}
