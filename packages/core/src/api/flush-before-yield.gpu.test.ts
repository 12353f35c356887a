// SPDX-License-Identifier: Apache-2.0
// explain() submits the caller's recorded-but-unsubmitted tfjs webgpu commands before it first yields
// to the event loop. In a browser, tf.browser.fromPixels(video) records a copy from an imported
// external texture, which expires when the current task ends: if tfjs submitted that copy only after
// webxai's first await, the frame read as NaN (the demo once worked around it with
// WEBGPU_IMPORT_EXTERNAL_TEXTURE=false; its live-mode e2e on Chromium's fake camera now runs without
// that flag and checks the maps follow the frames). Node has no video, so this checks the mechanism: tfjs's
// pending command encoder is gone when explain() returns its promise.
import { afterAll, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { identityFeatureModel } from '@webxai/testing/models';
import { createExplainer, explain } from './explain.js';
import { disposeResult } from './dispose-result.js';

afterAll(() => tf.setBackend('cpu'));

it("submits tfjs's pending webgpu commands before explain() first yields (external textures expire with the task)", async () => {
  await tf.setBackend('cpu');
  const model = identityFeatureModel(4, 4, [
    [1, -1],
    [0.5, 2],
  ]);
  await tf.setBackend('webgpu');
  const backend = tf.backend() as unknown as { commandEncoder: GPUCommandEncoder | null };
  const explainer = createExplainer(model, { method: 'saliency', target: 0 });
  for (const run of [(x: tf.Tensor) => explain(model, x, { method: 'saliency', target: 0 }), (x: tf.Tensor) => explainer.explain(x)]) {
    const base = tf.randomUniform([1, 4, 4, 2], 0, 1, 'float32', 3);
    await base.data();
    const frame = tf.mul(base, 2); // recorded, not yet submitted: what fromPixels(video) leaves behind
    expect(backend.commandEncoder).not.toBeNull(); // the premise
    const pending = run(frame);
    expect(backend.commandEncoder).toBeNull(); // submitted within the caller's task
    const r = await pending;
    expect(Array.from(await r.attribution.data()).every(Number.isFinite)).toBe(true);
    disposeResult(r);
    tf.dispose([base, frame]);
  }
  explainer.dispose();
  await tf.setBackend('cpu');
  model.dispose();
});
