// SPDX-License-Identifier: Apache-2.0
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { AbortedError } from '@webxai/shaders';
import '../src/index.js';
import type { ExplainCallOptions, ExplainFn, ExplainedDetail, Prediction, XaiErrorDetail, XaiExplainer, XaiHeatmap } from '../src/index.js';
import { greyImage, nextEvent } from './helpers.js';

const MODEL_URL = '/test/fixtures/tiny-model/model.json'; // 8x8x3 -> 3 classes, seeded weights
const LABELS = ['cat', 'dog', '<img src=x onerror="window.__pwned = 1">'];

/** A fake explainer: reports 4 progress steps, then returns a hot square on the target's row. */
function fakeExplain(calls: ExplainCallOptions[]): ExplainFn {
  return (_model, input, options) => {
    calls.push(options);
    for (let done = 1; done <= 4; done++) options.onProgress({ done, total: 4 });
    const [h, w] = input.shape;
    const data = new Float32Array(h * w! * 3);
    for (let x = 0; x < w!; x++) data.set([1, 1, 1], 3 * (options.target * w! + x));
    return Promise.resolve({ attribution: tf.tensor4d(data, [1, h, w!, 3]), target: [options.target], timeMs: 12 });
  };
}

async function mount(props: Partial<XaiExplainer>): Promise<XaiExplainer> {
  const el = document.createElement('xai-explainer');
  Object.assign(el, props);
  document.body.append(el);
  await el.settled;
  return el;
}

const heatmapOf = (el: XaiExplainer) => el.shadowRoot!.querySelector<XaiHeatmap>('xai-heatmap');
const part = (el: XaiExplainer, name: string) => el.shadowRoot!.querySelector<HTMLElement>(`[part~=${name}]`);

beforeAll(async () => {
  tf.enableProdMode();
  await tf.setBackend('cpu');
});

afterEach(() => document.querySelectorAll('xai-explainer').forEach((el) => el.remove()));

describe('<xai-explainer> with an injected explain function', () => {
  it('loads a model.json URL, lists the top-k classes, explains the top one and shows the heatmap', async () => {
    const calls: ExplainCallOptions[] = [];
    const el = document.createElement('xai-explainer');
    const predicted = nextEvent<{ predictions: Prediction[] }>(el, 'xai-predicted');
    const explained = nextEvent<ExplainedDetail>(el, 'xai-explained');
    Object.assign(el, {
      model: MODEL_URL,
      image: greyImage(8, 8, 200),
      labels: LABELS,
      methods: ['saliency', 'integrated-gradients'],
      topK: 3,
      explainFn: fakeExplain(calls),
    });
    document.body.append(el);
    const { predictions } = (await predicted).detail;
    expect(predictions).toHaveLength(3);
    expect(predictions.reduce((s, p) => s + p.probability, 0)).toBeCloseTo(1, 5);
    const { detail } = await explained;
    await el.settled;
    expect(el.state).toBe('done');
    expect(calls).toHaveLength(1);
    expect(calls[0]!.method).toBe('saliency');
    expect(calls[0]!.target).toBe(predictions[0]!.index);
    expect(calls[0]!.signal).toBeInstanceOf(AbortSignal);
    expect(detail.timing.explainMs).toBe(12);
    expect(detail.timing.totalMs).toBeGreaterThanOrEqual(0);
    expect(detail.result.attribution.shape).toEqual([1, 8, 8, 3]);
    const heatmap = heatmapOf(el)!;
    await heatmap.renderComplete;
    expect(heatmap.state, heatmap.error?.message).toBe('ready');
    // The fake attribution is the target's row: the heatmap's map is hot exactly there.
    const row = predictions[0]!.index;
    const values = heatmap.attributionMap!.values;
    expect(Array.from(values.subarray(row * 8, row * 8 + 8))).toEqual(new Array(8).fill(3));
    expect(values.reduce((a, b) => a + b, 0)).toBe(24);
    // Picker and predictions are there; labels are text, never HTML.
    expect([...el.shadowRoot!.querySelectorAll('option')].map((o) => o.value)).toEqual(['saliency', 'integrated-gradients']);
    const buttons = [...el.shadowRoot!.querySelectorAll<HTMLButtonElement>('[part~=prediction]')];
    expect(buttons).toHaveLength(3);
    expect(el.shadowRoot!.querySelector('[part=predictions] img')).toBeNull();
    expect(buttons.some((b) => b.textContent.includes(LABELS[2]!))).toBe(true);
    expect((window as { __pwned?: number }).__pwned).toBeUndefined();
    expect(buttons[0]!.getAttribute('aria-pressed')).toBe('true');
  });

  it('re-explains when the user picks another class or method', async () => {
    const calls: ExplainCallOptions[] = [];
    const el = await mount({
      model: MODEL_URL,
      image: greyImage(8, 8),
      labels: LABELS,
      methods: ['saliency', 'integrated-gradients'],
      explainFn: fakeExplain(calls),
    });
    const second = el.predictions[1]!;
    let explained = nextEvent<ExplainedDetail>(el, 'xai-explained');
    el.shadowRoot!.querySelectorAll<HTMLButtonElement>('[part~=prediction]')[1]!.click();
    expect((await explained).detail.target).toBe(second.index);
    await el.settled;
    expect(heatmapOf(el)!.attributionMap!.values[second.index * 8]).toBe(3);
    explained = nextEvent<ExplainedDetail>(el, 'xai-explained');
    const select = part(el, 'method-picker') as HTMLSelectElement;
    select.value = 'integrated-gradients';
    select.dispatchEvent(new Event('change'));
    expect((await explained).detail.method).toBe('integrated-gradients');
    expect(calls.map((c) => [c.method, c.target])).toEqual([
      ['saliency', el.predictions[0]!.index],
      ['saliency', second.index],
      ['integrated-gradients', second.index],
    ]);
  });

  it('a newer choice supersedes an explanation in flight: the older result is never shown', async () => {
    // Once armed, the next explanation finishes only when released, and ignores its abort signal.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let armed = false;
    let held: ExplainCallOptions | undefined;
    const fake = fakeExplain([]);
    const slowOnce: ExplainFn = async (m, x, options) => {
      if (armed) await ((armed = false), (held = options), gate);
      return fake(m, x, options);
    };
    const el = await mount({
      model: MODEL_URL,
      image: greyImage(8, 8),
      methods: ['saliency', 'integrated-gradients'],
      explainFn: slowOnce,
    });
    const [first, second] = el.predictions;
    const explained: number[] = [];
    el.addEventListener('xai-explained', (e) => explained.push((e as CustomEvent<ExplainedDetail>).detail.target));
    armed = true;
    el.target = first!.index; // explicit pick of the top class: explained again, and held at the gate
    await expect.poll(() => held).toBeDefined();
    el.target = second!.index;
    await el.updateComplete;
    // Had the held run gone on once released, it would show (and announce) the first class's row.
    release();
    await el.settled;
    expect(el.state).toBe('done');
    expect(explained).toEqual([second!.index]);
    expect(held!.signal.aborted).toBe(true);
    expect(heatmapOf(el)!.attributionMap!.values[second!.index * 8]).toBe(3);
    expect(heatmapOf(el)!.attributionMap!.values[first!.index * 8]).toBe(0);
  });

  it('a method or class picked while the first auto-explanation runs is explained (after loading)', async () => {
    // The auto-explanation the first load starts is held at a gate and ignores its abort signal.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let held: ExplainCallOptions | undefined;
    const fake = fakeExplain([]);
    const holdFirst: ExplainFn = async (m, x, options) => {
      if (!held) await ((held = options), gate);
      return fake(m, x, options);
    };
    const el = document.createElement('xai-explainer');
    Object.assign(el, { model: MODEL_URL, image: greyImage(8, 8), methods: ['saliency', 'integrated-gradients'], explainFn: holdFirst });
    const explained: [string, number][] = [];
    el.addEventListener('xai-explained', (e) => {
      const { method, target } = (e as CustomEvent<ExplainedDetail>).detail;
      explained.push([method, target]);
    });
    document.body.append(el);
    await expect.poll(() => held).toBeDefined();
    const second = el.predictions[1]!;
    el.method = 'integrated-gradients';
    el.target = second.index;
    await el.updateComplete;
    release();
    await el.settled;
    expect(held!.method).toBe('saliency');
    expect(held!.signal.aborted).toBe(true);
    expect(explained).toEqual([['integrated-gradients', second.index]]);
    expect(el.state).toBe('done');
    expect(heatmapOf(el)!.attributionMap!.values[second.index * 8]).toBe(3);
  });

  it('shows progress and cancels', async () => {
    let seen: ExplainCallOptions | undefined;
    const hanging: ExplainFn = (_m, _x, options) =>
      new Promise((_resolve, reject) => {
        seen = options;
        options.onProgress({ done: 3, total: 10 });
        options.signal.addEventListener('abort', () => reject(new AbortedError('aborted by signal')));
      });
    const el = document.createElement('xai-explainer');
    const errors: Event[] = [];
    el.addEventListener('xai-error', (e) => errors.push(e));
    Object.assign(el, { model: MODEL_URL, image: greyImage(8, 8), explainFn: hanging });
    document.body.append(el);
    await expect.poll(() => el.state).toBe('explaining');
    await el.updateComplete;
    const progress = part(el, 'progress') as HTMLProgressElement;
    expect(progress.hidden).toBe(false);
    expect([progress.value, progress.max]).toEqual([3, 10]);
    const cancel = part(el, 'cancel-button') as HTMLButtonElement;
    expect(cancel.disabled).toBe(false);
    cancel.click();
    await el.settled;
    expect(seen!.signal.aborted).toBe(true);
    expect(el.state).toBe('cancelled');
    expect(part(el, 'status')!.textContent).toBe('Cancelled.');
    expect(errors).toHaveLength(0);
    expect(heatmapOf(el)).toBeNull();
  });
});

describe("<xai-explainer> with @webxai/core's explain (default explainFn)", () => {
  it('explains the tiny model with saliency and integrated gradients, matching explain() called directly', async () => {
    const { explain, listMethods } = await import('@webxai/core');
    expect(listMethods()).toEqual(expect.arrayContaining(['saliency', 'integrated-gradients']));
    const el = document.createElement('xai-explainer');
    let explained = nextEvent<ExplainedDetail>(el, 'xai-explained');
    Object.assign(el, { model: MODEL_URL, image: greyImage(8, 8, 150), method: 'saliency' });
    document.body.append(el);
    const { detail } = await explained;
    await el.settled;
    expect(el.state, el.error?.message).toBe('done');
    expect([...el.shadowRoot!.querySelectorAll('option')].map((o) => o.value)).toEqual(listMethods());
    expect(detail.result.attribution.shape).toEqual([8, 8, 3]); // a 3-D input gets its attribution in exactly its shape
    // The same call made directly gives the same attribution.
    const model = await tf.loadLayersModel(MODEL_URL);
    const x = tf.fill<tf.Rank.R3>([8, 8, 3], Math.round((150 / 255) * 255) / 255);
    // (Typed loosely: the method registry's entries are declared in core's method folders.)
    const explainAny = explain as unknown as (m: tf.LayersModel, x: tf.Tensor, o: object) => Promise<{ attribution: tf.Tensor }>;
    const direct = await explainAny(model, x, { method: 'saliency', target: detail.target });
    expect(Array.from(await detail.result.attribution.data())).toBeAllClose(Array.from(await direct.attribution.data()), {
      abs: 1e-6,
      rel: 1e-5,
    });
    tf.dispose([x, direct.attribution]);
    model.dispose();
    const heatmap = heatmapOf(el)!;
    expect(heatmap.state, heatmap.error?.message).toBe('ready');
    expect(heatmap.label).toBe('saliency');
    explained = nextEvent<ExplainedDetail>(el, 'xai-explained');
    el.methodOptions = { steps: 8 };
    el.method = 'integrated-gradients';
    const ig = (await explained).detail;
    expect(ig.method).toBe('integrated-gradients');
    expect(ig.result.attribution.shape).toEqual([8, 8, 3]);
    await el.settled;
    expect(heatmapOf(el)!.state).toBe('ready');
  });
});

describe('<xai-explainer> on the tfjs webgpu backend', () => {
  it("runs core's GPU path on tfjs's device and draws the heatmap on that same device", async () => {
    await import('@tensorflow/tfjs-backend-webgpu');
    const { tfjsDevice } = await import('@webxai/core');
    await tf.setBackend('webgpu');
    try {
      const el = document.createElement('xai-explainer');
      const explained = nextEvent<ExplainedDetail>(el, 'xai-explained');
      Object.assign(el, { model: MODEL_URL, image: greyImage(8, 8, 90), method: 'saliency', renderer: 'webgpu' });
      document.body.append(el);
      const { detail } = await explained;
      await el.settled;
      expect(el.state, el.error?.message).toBe('done');
      expect(detail.result.path).toBe('gpu');
      expect(detail.result.backend).toBe('webgpu');
      const heatmap = heatmapOf(el)!;
      expect(heatmap.device).toBe(tfjsDevice());
      expect(heatmap.state, heatmap.error?.message).toBe('ready');
      expect(heatmap.renderedWith).toBe('webgpu');
      el.remove();
      await el.settled;
    } finally {
      await tf.setBackend('cpu');
    }
  });
});

describe('<xai-explainer> errors', () => {
  async function expectError(el: XaiExplainer, error: Promise<CustomEvent<XaiErrorDetail>>, pattern: RegExp) {
    const { detail } = await error;
    await el.settled;
    expect(detail.error.code).toBe('model-error');
    expect(el.state).toBe('error');
    expect(part(el, 'error')!.textContent).toMatch(pattern);
    expect(heatmapOf(el)).toBeNull(); // no stale picture
  }

  it('an unreachable model URL', async () => {
    const el = document.createElement('xai-explainer');
    const error = nextEvent<XaiErrorDetail>(el, 'xai-error');
    Object.assign(el, { model: '/no/such/model.json', image: greyImage(8, 8), explainFn: fakeExplain([]) });
    document.body.append(el);
    await expectError(el, error, /could not load the model from "\/no\/such\/model.json": HTTP 404/);
  });

  it('a model that throws', async () => {
    const el = document.createElement('xai-explainer');
    const error = nextEvent<XaiErrorDetail>(el, 'xai-error');
    const broken = () => {
      throw new Error('weights are corrupt');
    };
    Object.assign(el, { model: broken, image: greyImage(8, 8), explainFn: fakeExplain([]) });
    document.body.append(el);
    await expectError(el, error, /weights are corrupt/);
  });

  it('an explain function that fails, after a good result: the old picture goes away', async () => {
    let fail = false;
    const good = fakeExplain([]);
    const el = await mount({
      model: MODEL_URL,
      image: greyImage(8, 8),
      explainFn: (m, x, o) => (fail ? Promise.reject(new Error('out of memory')) : good(m, x, o)),
    });
    expect(heatmapOf(el)).not.toBeNull();
    fail = true;
    const error = nextEvent<XaiErrorDetail>(el, 'xai-error');
    void el.runExplain();
    await expectError(el, error, /explaining with .* failed: out of memory/);
  });

  it('applies preprocess to its predictions, and a new preprocess re-predicts without reloading the model', async () => {
    // Class 0 scores the mean pixel, class 1 its negation: a dark grey (0.25) image is class 0 in [0, 1]
    // and class 1 once preprocess maps it to [-1, 1] (0.25 -> -0.5).
    const model = (x: tf.Tensor4D) => tf.tidy(() => tf.stack([tf.mean(x, [1, 2, 3]), tf.neg(tf.mean(x, [1, 2, 3]))], 1) as tf.Tensor2D);
    const image = new ImageData(
      new Uint8ClampedArray(8 * 8 * 4).map((_, i) => (i % 4 === 3 ? 255 : 64)),
      8,
      8,
    );
    const el = await mount({ model, image, labels: ['bright', 'dark'], explainFn: fakeExplain([]) });
    expect(el.predictions[0]!.label).toBe('bright');
    el.preprocess = (x) => tf.tidy(() => tf.sub<tf.Tensor4D>(tf.mul(x, 2), 1));
    await el.settled;
    expect(el.predictions[0]!.label).toBe('dark');
    const m = 2 * (64 / 255) - 1; // the preprocessed mean; scores [m, -m], softmax of 'dark' = 1 / (1 + e^(2m))
    expect(el.predictions[0]!.probability).toBeCloseTo(1 / (1 + Math.exp(2 * m)), 5);
    el.preprocess = undefined;
    await el.settled;
    expect(el.predictions[0]!.label).toBe('bright');
  });

  it('does not leak tensors: input, result and the model it loaded are disposed on removal', async () => {
    const before = tf.memory().numTensors;
    const el = await mount({ model: MODEL_URL, image: greyImage(8, 8), explainFn: fakeExplain([]) });
    expect(el.state).toBe('done');
    expect(tf.memory().numTensors).toBeGreaterThan(before);
    el.remove();
    await el.settled;
    expect(tf.memory().numTensors).toBe(before);
  });

  it("disposes every tensor of a result, not only the attribution (e.g. CAM's raw map)", async () => {
    const good = fakeExplain([]);
    const withMap: ExplainFn = async (m, x, o) => ({ ...(await good(m, x, o)), map: tf.zeros([1, 2, 2]) });
    const before = tf.memory().numTensors;
    const el = await mount({ model: MODEL_URL, image: greyImage(8, 8), explainFn: withMap });
    expect(el.state).toBe('done');
    await el.runExplain(); // replaces the first result: its map must go too
    el.remove();
    await el.settled;
    expect(tf.memory().numTensors).toBe(before);
  });
});
