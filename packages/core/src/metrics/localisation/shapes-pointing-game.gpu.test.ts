// SPDX-License-Identifier: Apache-2.0
// Known answer on real data: the shipped shapes CNN's Grad-CAM points into the object on most
// held-out images (ground-truth masks from the generator).
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { loadShapesCnn, shapesBatch, shapesCnnSplit } from '@webxai/models';
import { explain } from '../../api/explain.js';
import { disposeResult } from '../../api/dispose-result.js';
import { evaluate } from '../evaluate.js';

describe('pointing game on the shapes CNN', () => {
  it("Grad-CAM (conv3) hits the object on most of 64 held-out images within Zhang et al.'s tolerance (15 px at 224 = 4 px at 64)", async () => {
    await tf.setBackend('webgpu');
    const model = await loadShapesCnn();
    const { seed, first } = shapesCnnSplit.heldOut;
    const { images, masks, labels } = shapesBatch(seed, 64, first);
    const cam = await explain(model, images, { method: 'grad-cam', layer: 'conv3', target: labels });
    const strict = await evaluate(model, images, cam, { metric: 'pointing-game', mask: masks });
    const hits = await evaluate(model, images, cam, { metric: 'pointing-game', mask: masks, tolerance: 4 });
    const mass = await evaluate(model, images, cam, { metric: 'relevance-mass', mask: masks });
    const rate = hits.scores.reduce((s, v) => s + v, 0) / hits.scores.length;
    const strictRate = strict.scores.reduce((s, v) => s + v, 0) / strict.scores.length;
    const meanMass = mass.scores.reduce((s, v) => s + v, 0) / mass.scores.length;
    console.log(
      `shapes CNN, Grad-CAM conv3, 64 held-out images (seed ${seed}, from ${first}): pointing game ${(100 * strictRate).toFixed(1)} % (tolerance 0), ${(100 * rate).toFixed(1)} % (tolerance 4 px), relevance mass ${meanMass.toFixed(3)}`,
    );
    expect(rate).toBeGreaterThan(0.5);
    // The object covers a minority of the image: more mass inside it than its area share means the map localises.
    const area = (await tf.mean(masks).data())[0]!;
    expect(meanMass).toBeGreaterThan(area);
    disposeResult(cam);
    tf.dispose([images, masks]);
    model.dispose();
  });
});
