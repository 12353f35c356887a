// SPDX-License-Identifier: Apache-2.0
// `<xai-explainer>` explanation rate on the MNIST CNN (tfjs webgpu): the element explains one digit
// for a new class each time (saliency: one forward + backward pass, so the element's own overhead —
// reading the attribution back, handing it to its heatmap, drawing — is a visible share) and shows
// it in its `<xai-heatmap>`. Each explanation waits for `settled` (picture drawn, legend numbers
// arrived). Rounds of `explanations` explanations; the first round is a warm-up.
import * as tf from '@tensorflow/tfjs';
import '@webxai/ui';
import type { ExplainerRow } from '../src/browser-cases.js';
import { median } from './measure.js';

type Counted = (work: () => Promise<void>) => Promise<Record<string, number>>;

/** The digit as the RGBA picture a page would hand the element (grey levels 0..255). */
async function digitImage(image: tf.Tensor4D): Promise<ImageData> {
  const [, height, width] = image.shape;
  const values = await image.data();
  const rgba = new Uint8ClampedArray(height * width * 4);
  values.forEach((v, i) => rgba.set([v * 255, v * 255, v * 255, 255], 4 * i));
  return new ImageData(rgba, width, height);
}

/** Explanations per second of `<xai-explainer>` (tfjs must be on its webgpu backend). */
export async function explainerBench(
  model: tf.LayersModel,
  image: tf.Tensor4D,
  quick: boolean,
  rounds: number,
  counted: Counted,
): Promise<ExplainerRow[]> {
  const explanations = quick ? 10 : 30;
  const method = 'saliency';
  const el = document.createElement('xai-explainer');
  Object.assign(el, { model, image: await digitImage(image), method, renderer: 'webgpu', signed: 'absolute' });
  document.body.append(el);
  await el.settled;
  let target = 0;
  const stream = async () => {
    for (let i = 0; i < explanations; i++) {
      target = (target + 1) % 10; // a new class every time: the element explains again
      el.target = target;
      await el.settled;
      if (el.state !== 'done') throw new Error(`<xai-explainer>: state ${el.state}: ${el.error?.message ?? ''}`);
    }
  };
  try {
    const seconds: number[] = [];
    for (let round = 0; round <= rounds; round++) {
      const start = performance.now();
      await stream();
      if (round > 0) seconds.push((performance.now() - start) / 1000);
    }
    const calls = await counted(stream);
    return [
      {
        name: `xai-explainer ${method}`,
        explanations,
        explanationsPerSecond: explanations / median(seconds),
        readbacksPerExplanation: ((calls.mapAsync ?? 0) - (calls.readout ?? 0)) / explanations,
        asyncReadoutsPerExplanation: (calls.readout ?? 0) / explanations,
        submitsPerExplanation: (calls.submit ?? 0) / explanations,
      },
    ];
  } finally {
    el.remove();
    await el.settled;
  }
}
