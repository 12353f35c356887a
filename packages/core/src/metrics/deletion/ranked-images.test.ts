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
      // One writer per layout: each continues its batches from the last image it wrote.
      const writers = {
        nhwc: new RankedImageWriter(mode, image, fill, order, steps, firstStep, channels),
        nchw: new RankedImageWriter(mode, image, fill, order, steps, firstStep, channels),
      };
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
        writers.nhwc.write(nhwc.subarray(at, at + count * pixels * channels), first, count, 'nhwc');
        writers.nchw.write(nchw.subarray(at, at + count * pixels * channels), first, count, 'nchw');
      }
      expect(nhwc).toEqual(expected);
      const expectedNchw = nhwcToNchw(expected, steps, pixels, channels);
      expect(nchw).toEqual(expectedNchw);
      // Batches that do not follow the last one start over: backwards, and forwards alternating layouts.
      const forwards = Array.from({ length: Math.ceil(steps / batch) }, (_, i) => i * batch);
      const backwards = [...forwards].reverse();
      const restarts = new RankedImageWriter(mode, image, fill, order, steps, firstStep, channels);
      const calls = [...backwards.map((f) => ['nhwc', f] as const), ...forwards.map((f, i) => [i % 2 === 0 ? 'nhwc' : 'nchw', f] as const)];
      for (const [layout, first] of calls) {
        const [at, end] = [first * pixels * channels, Math.min(first + batch, steps) * pixels * channels];
        const out = new Float32Array(end - at);
        restarts.write(out, first, (end - at) / (pixels * channels), layout);
        expect(out).toEqual((layout === 'nhwc' ? expected : expectedNchw).subarray(at, end));
      }
      // Not trivially the image or the fill: the first and last images differ.
      expect(nhwc.subarray(0, pixels * channels)).not.toEqual(nhwc.subarray((steps - 1) * pixels * channels));
    });
  }
});
