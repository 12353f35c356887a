// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { seededF32 } from '@webxai/testing';
import { InvalidOptionError } from '@webxai/shaders';
import { givenTargets, resolveTargets, resolveTargetsOnHost, type Target } from './targets.js';

describe('targets on the host', () => {
  it("resolveTargetsOnHost gives resolveTargets' classes and errors", async () => {
    await tf.setBackend('cpu');
    const [batch, classes] = [3, 7];
    const values = seededF32(batch * classes, 5);
    values[2 * classes + 6] = 9; // row 2's maximum is its last class
    const scores = tf.tensor2d(values, [batch, classes]);
    for (const target of [undefined, 'predicted', 4, [6, 0, 2]] as (Target | undefined)[]) {
      const want = await resolveTargets(target, scores);
      expect(resolveTargetsOnHost(target, values, batch, classes)).toEqual(want);
    }
    expect(resolveTargetsOnHost('predicted', values, batch, classes)[2]).toBe(6);
    for (const bad of [7, [0, 1, 7], [0, 1], -1] as Target[]) {
      const message = await resolveTargets(bad, scores).catch((e: Error) => e.message);
      expect(() => resolveTargetsOnHost(bad, values, batch, classes)).toThrow(InvalidOptionError);
      expect(() => resolveTargetsOnHost(bad, values, batch, classes)).toThrow(message);
    }
    scores.dispose();
  });

  it('givenTargets: the named classes per image, undefined when they come from the scores', () => {
    expect(givenTargets(2, 3)).toEqual([2, 2, 2]);
    expect(givenTargets([1, 0], 2)).toEqual([1, 0]);
    expect(givenTargets('predicted', 2)).toBeUndefined();
    expect(givenTargets(undefined, 2)).toBeUndefined();
    expect(() => givenTargets([1], 2)).toThrow(/target has 1 entries but the input has 2 images/);
  });
});
