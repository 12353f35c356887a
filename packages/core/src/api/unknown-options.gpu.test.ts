// SPDX-License-Identifier: Apache-2.0
// Unknown option names are rejected (with the nearest valid name) by every entry point, before any work.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { InvalidOptionError } from '@webxai/shaders';
import { disposeWeights, tinyCnn, tinyCnnWeights, type TinyCnnWeights } from '@webxai/testing/models';
import { createExplainer, explain } from './explain.js';
import { segment } from '../segment/segment.js';

describe('unknown option names', () => {
  let weights: TinyCnnWeights;
  let model: tf.LayersModel;
  beforeAll(async () => {
    await tf.setBackend('webgpu');
    weights = tinyCnnWeights({ height: 8, width: 8, channels: 3, classes: 3, seed: 1 });
    model = tinyCnn('sequential', weights);
  });
  afterAll(() => disposeWeights(weights));
  const box = { predict: (_: Float32Array, s: number[]) => Promise.resolve(new Float32Array(s[0]! * 3)) };

  it('explain and createExplainer reject them, naming the nearest valid option', async () => {
    const x = tf.zeros([8, 8, 3]);
    const before = tf.memory().numTensors;
    const cases: [object, string][] = [
      [{ method: 'integrated-gradients', step: 1e7 }, "integrated-gradients: unknown option 'step' (did you mean 'steps'?)"],
      [{ method: 'smoothgrad', sample: 4 }, "smoothgrad: unknown option 'sample' (did you mean 'samples'?)"],
      [{ method: 'grad-cam', layers: ['conv1'] }, "grad-cam: unknown option 'layers' (did you mean 'layer'?)"],
      [{ method: 'saliency', targets: [1] }, "saliency: unknown option 'targets' (did you mean 'target'?)"],
      [{ method: 'occlusion', windowSize: 4 }, "occlusion: unknown option 'windowSize' (did you mean 'window'?)"],
      [{ method: 'grad-cam', batchSize: 4 }, "grad-cam: unknown option 'batchSize'"],
      [
        { method: 'smoothgrad', inner: 'integrated-gradients', innerOptions: { step: 4 } },
        "smoothgrad innerOptions (integrated-gradients): unknown option 'step' (did you mean 'steps'?)",
      ],
      [{ method: 'xrai', integratedGradients: { stepz: 4 } }, "xrai integratedGradients: unknown option 'stepz' (did you mean 'steps'?)"],
    ];
    for (const [options, message] of cases) {
      const m = (options as { method: string }).method === 'occlusion' ? box : model;
      expect(() => createExplainer(m, options as never)).toThrow(InvalidOptionError);
      await expect(explain(m, x, options as never)).rejects.toThrow(message);
    }
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });

  it('per-call overrides and the common options are checked too', async () => {
    const x = tf.zeros([8, 8, 3]);
    const explainer = createExplainer(model, { method: 'saliency' });
    await expect(explainer.explain(x, { targte: 1 } as never)).rejects.toThrow(
      "saliency explain(): unknown option 'targte' (did you mean 'target'?)",
    );
    await expect(explainer.explain(x, { onProgress: 5 } as never)).rejects.toThrow('saliency: onProgress must be a function, got 5');
    expect(() => createExplainer(model, { method: 'saliency', signal: 'x' } as never)).toThrow(
      'saliency: signal must be an AbortSignal, got "x"',
    );
    expect(() => createExplainer(model, { method: 'saliency', onProgress: 5 } as never)).toThrow(InvalidOptionError);
    explainer.dispose();
    x.dispose();
  });

  it('segment rejects unknown names, missing options and bad values', async () => {
    const image = tf.randomUniform([8, 8, 3], 0, 1, 'float32', 2);
    await expect(segment(image, { method: 'slic', nSegments: 4 } as never)).rejects.toThrow(
      "segment (slic): unknown option 'nSegments' (did you mean 'segments'?)",
    );
    await expect(segment(image, undefined as never)).rejects.toThrow(/segment: options must be an object with a method/);
    await expect(segment(image, { method: 'quickshift', kernelSize: 0 })).rejects.toThrow(
      /segment: kernelSize must be a finite number in \(0, 64\], got 0/,
    );
    await expect(segment(image, { method: 'felzenszwalb', scale: -1 })).rejects.toThrow(
      /segment: scale must be a finite number > 0, got -1/,
    );
    const nan = tf.fill([8, 8, 3], Number.NaN);
    await expect(segment(nan, { method: 'slic', segments: 4 })).rejects.toThrow(/segment: image contains NaN or Inf values/);
    tf.dispose([image, nan]);
  });
});
