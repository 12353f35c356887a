// SPDX-License-Identifier: Apache-2.0
// <xai-explainer> on tfjs's webgpu backend hands its <xai-heatmap> the attribution tensor itself:
// no readback per explanation, the same picture as the values path, and every tensor disposed.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { tfjsDevice } from '@webxai/core';
import { liveBufferCount } from '@webxai/shaders';
import '../src/index.js';
import type { ExplainFn, ExplainedDetail, XaiExplainer, XaiHeatmap } from '../src/index.js';
import { greyImage, maxChannelDiff, nextEvent } from './helpers.js';

const MODEL_URL = '/test/fixtures/tiny-model/model.json'; // 8x8x3 -> 3 classes, seeded weights

/**
 * A fake explainer whose attribution lives in GPU memory (made by a tfjs op on the webgpu backend,
 * so reading it back would be a real mapAsync): a ramp with a hot row on the target's row.
 */
const gpuExplain: ExplainFn = (_model, input, options) => {
  const [h, w] = input.shape as [number, number, number];
  const data = new Float32Array(h * w * 3);
  for (let i = 0; i < data.length; i++) data[i] = ((i * 37) % 101) / 101 - 0.4 + (Math.floor(i / (3 * w)) === options.target ? 2 : 0);
  const attribution = tf.tidy(() => tf.tensor4d(data, [1, h, w, 3]).mul(tf.scalar(1.5)));
  return Promise.resolve({ attribution, target: [options.target], timeMs: 1 });
};

/** Counts GPUBuffer.mapAsync calls other than <xai-heatmap>'s asynchronous read-out (nothing waits for that one). */
function countReadbacks() {
  const spy = vi.spyOn(GPUBuffer.prototype, 'mapAsync');
  return () => spy.mock.contexts.filter((buffer) => (buffer as GPUBuffer).label !== 'xai-heatmap.readout').length;
}

async function mount(props: Partial<XaiExplainer>): Promise<XaiExplainer> {
  const el = document.createElement('xai-explainer');
  Object.assign(el, props);
  document.body.append(el);
  await el.settled;
  return el;
}

const heatmapOf = (el: XaiExplainer) => el.shadowRoot!.querySelector<XaiHeatmap>('xai-heatmap')!;

let cpuForward: boolean;
beforeAll(async () => {
  tf.enableProdMode();
  await import('@tensorflow/tfjs-backend-webgpu');
  await tf.setBackend('webgpu');
  // Otherwise tfjs computes small ops on the CPU (8x8x3 is below its hand-off size): the fake
  // attribution would have CPU values, and reading it back would cost no mapAsync to count.
  cpuForward = tf.env().getBool('WEBGPU_CPU_FORWARD');
  tf.env().set('WEBGPU_CPU_FORWARD', false);
});
afterAll(async () => {
  tf.env().set('WEBGPU_CPU_FORWARD', cpuForward);
  await tf.setBackend('cpu');
});
afterEach(() => {
  vi.restoreAllMocks();
  document.querySelectorAll('xai-explainer, xai-heatmap').forEach((el) => el.remove());
});

describe('<xai-explainer> on the webgpu backend: the heatmap draws the attribution tensor', () => {
  it('no readback per explanation; each replaced result is disposed once the new one is drawn; nothing leaks', async () => {
    const tensorsBefore = tf.memory().numTensors;
    const buffersBefore = liveBufferCount(tfjsDevice());
    const common = {
      model: MODEL_URL,
      image: greyImage(8, 8, 90),
      explainFn: gpuExplain,
      signed: 'both' as const,
      colormap: 'RdBu' as const,
    };
    const el = await mount({ ...common, renderer: 'webgpu' });
    expect(el.state, el.error?.message).toBe('done');
    const readbacks = countReadbacks();
    const shown: tf.Tensor[] = [];
    for (const target of [1, 2, 0]) {
      const explained = nextEvent<ExplainedDetail>(el, 'xai-explained');
      el.target = target;
      shown.push((await explained).detail.result.attribution);
      await el.settled;
      const heatmap = heatmapOf(el);
      expect(heatmap.state, heatmap.error?.message).toBe('ready');
      expect(heatmap.attribution).toBe(shown.at(-1)); // the tensor itself, not its values
      expect(heatmap.attributionMap).toBeUndefined(); // the heatmap made no CPU copy either
      expect(heatmap.info?.max).toBeGreaterThan(2); // its numbers came from its GPU read-out
    }
    expect(readbacks()).toBe(0);
    expect(shown.map((t) => t.isDisposed)).toEqual([true, true, false]);

    // The same picture as the values path (what the element drew before): a heatmap given {data, shape}.
    const current = shown.at(-1)!;
    const values = document.createElement('xai-heatmap');
    Object.assign(values, { image: heatmapOf(el).image, signed: 'both', colormap: 'RdBu', renderer: 'webgpu' });
    values.attribution = { data: await current.data(), shape: current.shape };
    document.body.append(values);
    await values.renderComplete;
    expect(maxChannelDiff(await heatmapOf(el).pixels(), await values.pixels())).toBeLessThanOrEqual(1);
    values.remove();
    await values.renderComplete;

    el.remove();
    await el.settled;
    expect(current.isDisposed).toBe(true);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(liveBufferCount(tfjsDevice())).toBe(buffersBefore);
  });

  it('the counter sees the old path: with renderer canvas2d the values are read back, once per explanation', async () => {
    const el = await mount({ model: MODEL_URL, image: greyImage(8, 8, 90), explainFn: gpuExplain, renderer: 'canvas2d' });
    const readbacks = countReadbacks();
    el.target = 1;
    await el.settled;
    expect(el.state, el.error?.message).toBe('done');
    expect(heatmapOf(el).attributionMap).toBeDefined();
    expect(readbacks()).toBe(1);
  });

  it("core's saliency on the GPU: the explainer adds no readback to the explanation's own", async () => {
    const perExplanation = async (renderer: 'webgpu' | 'canvas2d') => {
      const el = await mount({ model: MODEL_URL, image: greyImage(8, 8, 90), method: 'saliency', renderer });
      const readbacks = countReadbacks();
      el.target = 2;
      await el.settled;
      expect(el.state, el.error?.message).toBe('done');
      const count = readbacks();
      vi.restoreAllMocks();
      el.remove();
      await el.settled;
      return count;
    };
    const tensorsBefore = tf.memory().numTensors;
    const gpu = await perExplanation('webgpu');
    const values = await perExplanation('canvas2d');
    // The values path reads the attribution, but a small single-image result came back with the
    // explanation's own readback (core keeps it as the tensor's host copy): no readback of its own.
    expect(values - gpu).toBe(0);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });
});
