// SPDX-License-Identifier: Apache-2.0
// Issue 10: a Grad-CAM whose weighted channel sum is negative everywhere is blank after the ReLU.
// The result must say so (warnings, with the signed range) and relu: false must show the signed map.
import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { identityFeatureModel } from '@webxai/testing/models';
import { InvalidOptionError } from '@webxai/shaders';
import { createExplainer, explain } from '../api/explain.js';
import { disposeResult } from '../api/dispose-result.js';

const [H, W] = [3, 4];
/** Class 0 weighs both channels negatively, class 1 positively. */
const KERNEL = [
  [-1, 1],
  [-2, 0.5],
];
/** Strictly positive activations (the identity conv + ReLU passes them through). */
const A = Array.from({ length: H * W * 2 }, (_, i) => 0.25 + ((i * 7) % 5) / 4);
/** d score_c / d A[p, k] = KERNEL[k][c] / (H W): the signed Grad-CAM map, by hand. */
const signed = (target: number) =>
  Array.from({ length: H * W }, (_, p) => (KERNEL[0]![target]! * A[2 * p]! + KERNEL[1]![target]! * A[2 * p + 1]!) / (H * W));

describe.for(['cpu', 'webgpu'] as const)('blank Grad-CAM maps on %s', (backend) => {
  afterAll(() => tf.setBackend('cpu'));

  it('an all-negative weighted sum: a zero map AND a warning with the signed range; relu: false shows it; no leaks', async () => {
    await tf.setBackend('cpu');
    const model = identityFeatureModel(H, W, KERNEL);
    const x = tf.tensor4d(A, [1, H, W, 2]);
    await tf.setBackend(backend);
    const before = tf.memory().numTensors;
    const want = signed(0);
    expect(Math.max(...want)).toBeLessThan(0); // the premise: negative at every position

    const r = await explain<'grad-cam'>(model, x, { method: 'grad-cam', layer: 'features', target: 0 });
    expect(Array.from(await r.attribution.data()).every((v) => v === 0)).toBe(true);
    expect(r.warnings).toHaveLength(1);
    const warning = r.warnings![0]!;
    expect(warning).toMatch(
      /grad-cam: the map of image 0 at layer features is all zero after the ReLU: the weighted channel sum is negative at every position/,
    );
    expect(warning).toContain(`from ${Math.min(...want).toPrecision(3)} to ${Math.max(...want).toPrecision(3)}`);
    expect(warning).toContain('relu: false');
    disposeResult(r);

    const s = await explain<'grad-cam'>(model, x, { method: 'grad-cam', layer: 'features', target: 0, relu: false });
    expect(Array.from(await (s.map as tf.Tensor).data())).toBeAllClose(want, { abs: 1e-6, rel: 1e-5 });
    // Same resolution: the attribution is the map over its largest |value|.
    const scale = Math.max(...want.map(Math.abs));
    expect(Array.from(await s.attribution.data())).toBeAllClose(
      want.map((v) => v / scale),
      { abs: 1e-5, rel: 1e-5 },
    );
    expect(s.warnings).toBeUndefined();
    disposeResult(s);

    // The positive class: an ordinary map, no warning.
    const p = await explain<'grad-cam'>(model, x, { method: 'grad-cam', layer: 'features', target: 1 });
    expect(Math.max(...(await p.attribution.data()))).toBeCloseTo(1, 5);
    expect(p.warnings).toBeUndefined();
    disposeResult(p);

    expect(tf.memory().numTensors).toBe(before);
    await tf.setBackend('cpu');
    x.dispose();
    model.dispose();
  });

  it('relu: false is refused where there is no single signed weighted sum', async () => {
    await tf.setBackend('cpu');
    const model = identityFeatureModel(H, W, KERNEL);
    await tf.setBackend(backend);
    expect(() => createExplainer(model, { method: 'eigen-cam', relu: false })).toThrow(InvalidOptionError);
    expect(() => createExplainer(model, { method: 'grad-cam', eigenSmooth: true, relu: false })).toThrow(/relu: false needs one layer/);
    expect(() => createExplainer(model, { method: 'grad-cam', layer: ['features'], relu: false })).toThrow(InvalidOptionError);
    await tf.setBackend('cpu');
    model.dispose();
  });
});
