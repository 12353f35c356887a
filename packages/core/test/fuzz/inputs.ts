// SPDX-License-Identifier: Apache-2.0
// Good and bad inputs, by name. Each is made fresh for a case and released after it.
import * as tf from '@tensorflow/tfjs';
import { SIZE } from './models.js';

export const INPUT_KINDS = [
  'image',
  'batch',
  'rank-2',
  'rank-5',
  'three-channels',
  'wrong-height',
  'int32',
  'nan',
  'inf',
  'empty',
  'disposed',
  'null',
  'number',
  'array',
] as const;
export type InputKind = (typeof INPUT_KINDS)[number];

/** The input of `kind` and the tensors to release after the case. */
export function makeInput(kind: InputKind, seed: number): { input: unknown; owned: tf.Tensor[] } {
  const image = (shape: number[]) => tf.randomUniform(shape, 0, 1, 'float32', seed);
  const own = (t: tf.Tensor) => ({ input: t, owned: [t] });
  switch (kind) {
    case 'image':
      return own(image([SIZE, SIZE, 1]));
    case 'batch':
      return own(image([2, SIZE, SIZE, 1]));
    case 'rank-2':
      return own(image([SIZE, SIZE]));
    case 'rank-5':
      return own(image([1, 1, SIZE, SIZE, 1]));
    case 'three-channels':
      return own(image([SIZE, SIZE, 3]));
    case 'wrong-height':
      return own(image([SIZE - 1, SIZE, 1]));
    case 'int32':
      return own(tf.zeros([SIZE, SIZE, 1], 'int32'));
    case 'nan':
      return own(tf.fill([SIZE, SIZE, 1], Number.NaN));
    case 'inf':
      return own(tf.fill([SIZE, SIZE, 1], Number.POSITIVE_INFINITY));
    case 'empty':
      return own(tf.zeros([0, SIZE, SIZE, 1]));
    case 'disposed': {
      const t = image([SIZE, SIZE, 1]);
      t.dispose();
      return { input: t, owned: [] };
    }
    case 'null':
      return { input: null, owned: [] };
    case 'number':
      return { input: 3, owned: [] };
    case 'array':
      return { input: [[0, 1]], owned: [] };
  }
}
