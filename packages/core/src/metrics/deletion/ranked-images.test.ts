// SPDX-License-Identifier: Apache-2.0
import { perturbBatchRef, rankedMasksRef, type RankedMode } from '@webxai/shaders';
import { seededF32, seededInts } from '@webxai/testing';
import { describe, expect, it } from 'vitest';
import { nhwcToNchw } from '../../model/onnx/from-onnx.js';
import { descendingOrder, ranksOf } from '../shared/order.js';
import { RankedImageWriter } from './ranked-images.js';

describe('RankedImageWriter', () => {
  // Oracle: the ranked-masks reference then the perturb-batch reference (what the GPU path computes).
  const cases: [RankedMode, number, number, number, number, number][] = [
    // mode, height, width, channels, steps, batch
    ['deletion', 5, 7, 3, 10, 4],
    ['insertion', 5, 7, 3, 10, 3],
    ['deletion', 3, 3, 1, 20, 7], // more steps than pixels: repeated images
    ['insertion', 4, 4, 2, 5, 5],
  ];
  for (const [mode, height, width, channels, steps, batch] of cases) {
    it(`${mode} ${height}x${width}x${channels}, ${steps} steps in batches of ${batch}: the masked images exactly, NHWC and NCHW`, () => {
      const pixels = height * width;
      const image = seededF32(pixels * channels, 1);
      const fill = seededF32(pixels * channels, 2);
      const order = descendingOrder(seededInts(pixels, 3, 0, 4)); // scores with ties
      const firstStep = mode === 'deletion' ? 1 : 0;
      const writer = new RankedImageWriter(mode, image, fill, order, steps, firstStep, channels);
      const expected = perturbBatchRef({
        image,
        fill,
        masks: rankedMasksRef(mode, ranksOf(order), steps, firstStep, steps),
        maskStride: pixels,
        pixels,
        channels,
        count: steps,
      });
      const nhwc = new Float32Array(steps * pixels * channels);
      const nchw = new Float32Array(steps * pixels * channels);
      for (let first = 0; first < steps; first += batch) {
        const count = Math.min(batch, steps - first);
        const at = first * pixels * channels;
        writer.write(nhwc.subarray(at, at + count * pixels * channels), first, count, 'nhwc');
        writer.write(nchw.subarray(at, at + count * pixels * channels), first, count, 'nchw');
      }
      expect(nhwc).toEqual(expected);
      expect(nchw).toEqual(nhwcToNchw(expected, steps, pixels, channels));
      // Not trivially the image or the fill: the first and last images differ.
      expect(nhwc.subarray(0, pixels * channels)).not.toEqual(nhwc.subarray((steps - 1) * pixels * channels));
    });
  }
});
