// SPDX-License-Identifier: Apache-2.0
import { ModelError } from '@webxai/shaders';
import { describe, expect, it } from 'vitest';
import { checkFiniteScores } from './non-finite-scores.js';

describe('checkFiniteScores', () => {
  it('accepts finite scores, including zero, negatives and the largest float', () => {
    expect(() => checkFiniteScores(new Float32Array([0, -1.5, 3.4e38]), 'tfjs')).not.toThrow();
    expect(() => checkFiniteScores([], 'tfjs')).not.toThrow();
  });

  it.each([NaN, Infinity, -Infinity])('names the model kind when a score is %s, wherever it stands', (bad) => {
    for (const at of [0, 2, 4]) {
      const values = new Float32Array(5).fill(1);
      values[at] = bad;
      expect(() => checkFiniteScores(values, 'onnx')).toThrow(ModelError);
      expect(() => checkFiniteScores(values, 'onnx')).toThrow('the onnx model returned NaN or Inf scores');
    }
  });
});
