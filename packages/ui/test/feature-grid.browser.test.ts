// SPDX-License-Identifier: Apache-2.0
import { afterEach, describe, expect, it } from 'vitest';
import '../src/index.js';
import type { FeatureSelectDetail, XaiErrorDetail, XaiFeatureGrid } from '../src/index.js';
import { nextEvent } from './helpers.js';

async function mount(props: Partial<XaiFeatureGrid>): Promise<XaiFeatureGrid> {
  const el = document.createElement('xai-feature-grid');
  Object.assign(el, props);
  document.body.append(el);
  await el.renderComplete;
  return el;
}

const root = (el: XaiFeatureGrid) => el.shadowRoot!;
const buttons = (el: XaiFeatureGrid) => [...root(el).querySelectorAll<HTMLButtonElement>('button[part="tile"]')];
const key = (target: Element, k: string) =>
  target.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true, composed: true, cancelable: true }));
const pixel = (canvas: HTMLCanvasElement, x: number, y: number) => Array.from(canvas.getContext('2d')!.getImageData(x, y, 1, 1).data);

/** k solid-colour 4x4 RGB images: image i is COLOURS[i]. */
const COLOURS = [
  [1, 0, 0],
  [0, 1, 0],
  [0, 0, 1],
  [0.5, 0.5, 0.5],
];
const solidImages = () => ({
  data: Float32Array.from(COLOURS.flatMap((c) => new Array<readonly number[]>(16).fill(c).flat())),
  shape: [4, 4, 4, 3],
});

afterEach(() => document.querySelectorAll('xai-feature-grid').forEach((el) => el.remove()));

describe('<xai-feature-grid>', () => {
  it('draws one tile per visualisation, labelled with its channel and value', async () => {
    const el = await mount({ images: solidImages(), channels: [7, 3, 12, 0], values: [1.5, 0.25, 3, 0], label: 'conv2' });
    const tiles = buttons(el);
    expect(tiles).toHaveLength(4);
    expect(root(el).querySelector('[part="grid"]')!.getAttribute('aria-label')).toBe('conv2');
    expect(tiles.map((b) => b.getAttribute('aria-label'))).toEqual([
      'Channel 7, activation 1.5',
      'Channel 3, activation 0.25',
      'Channel 12, activation 3',
      'Channel 0, activation 0',
    ]);
    const canvases = tiles.map((b) => b.querySelector('canvas')!);
    expect(canvases.map((c) => pixel(c, 2, 2))).toEqual([
      [255, 0, 0, 255],
      [0, 255, 0, 255],
      [0, 0, 255, 255],
      [128, 128, 128, 255],
    ]);
    // The tiles are shown at the tile size (64 px, a 2 px focus border inside), whatever the image size.
    expect(Math.round(tiles[0]!.getBoundingClientRect().width)).toBe(64);
    expect(Math.round(canvases[0]!.getBoundingClientRect().width)).toBe(60);
  });

  it('activations: one grey tile per channel, min-max normalised, in the given order, mean as the default value', async () => {
    // [2, 2, 3]: channel 0 ramps 0..3, channel 1 constant 5, channel 2 = 10 - 2 * position
    const data = Float32Array.from([0, 1, 2, 3].flatMap((p) => [p, 5, 10 - 2 * p]));
    const el = await mount({ activations: { data, shape: [1, 2, 2, 3] }, order: [2, 0, 1] });
    expect(el.tiles).toEqual([
      { channel: 2, value: 7 },
      { channel: 0, value: 1.5 },
      { channel: 1, value: 5 },
    ]);
    const [c2, c0, c1] = buttons(el).map((b) => b.querySelector('canvas')!);
    expect([pixel(c0!, 0, 0)[0], pixel(c0!, 1, 0)[0], pixel(c0!, 0, 1)[0], pixel(c0!, 1, 1)[0]]).toEqual([0, 85, 170, 255]);
    expect([pixel(c2!, 0, 0)[0], pixel(c2!, 1, 1)[0]]).toEqual([255, 0]);
    expect(pixel(c1!, 1, 1)).toEqual([0, 0, 0, 255]); // a constant channel is black
  });

  it('hover and focus show the read-out; click enlarges, Escape closes and returns focus', async () => {
    const el = await mount({ images: solidImages(), values: [1, 2, 3, 4], valueLabel: 'objective' });
    const readout = root(el).querySelector('[part="readout"]')!;
    buttons(el)[2]!.dispatchEvent(new PointerEvent('pointerenter'));
    await el.updateComplete;
    expect(readout.textContent).toBe('Channel 2, objective 3');
    const selected = nextEvent<FeatureSelectDetail>(el, 'xai-select');
    buttons(el)[1]!.click();
    expect((await selected).detail).toEqual({ index: 1, channel: 1, value: 2 });
    await el.updateComplete;
    const dialog = root(el).querySelector<HTMLElement>('[part="enlarged"]')!;
    expect(dialog.getAttribute('role')).toBe('dialog');
    const big = dialog.querySelector<HTMLCanvasElement>('canvas')!;
    expect(pixel(big, 1, 1)).toEqual([0, 255, 0, 255]);
    expect(big.getBoundingClientRect().width).toBeGreaterThan(200);
    expect(root(el).activeElement?.getAttribute('part')).toBe('close');
    key(root(el).activeElement!, 'Escape');
    await el.updateComplete;
    expect(root(el).querySelector('[part="enlarged"]')).toBeNull();
    expect(root(el).activeElement).toBe(buttons(el)[1]);
  });

  it('is keyboard accessible: arrows move between tiles, Enter enlarges', async () => {
    const el = await mount({ images: solidImages() });
    buttons(el)[0]!.focus();
    key(buttons(el)[0]!, 'ArrowRight');
    expect(root(el).activeElement).toBe(buttons(el)[1]);
    key(buttons(el)[1]!, 'End');
    expect(root(el).activeElement).toBe(buttons(el)[3]);
    await el.updateComplete;
    expect(root(el).querySelector('[part="readout"]')!.textContent).toBe('Channel 3');
    key(buttons(el)[3]!, 'Enter');
    await el.updateComplete;
    expect(root(el).querySelector('[part="enlarged"]')!.getAttribute('aria-label')).toBe('Channel 3');
  });

  it('a newer input supersedes a read in flight: the older tiles are never shown', async () => {
    // Two white tiles whose values arrive only when released: the first run waits inside them.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow = { shape: [2, 4, 4, 3], data: async () => (await gate, new Float32Array(2 * 16 * 3).fill(1)) };
    const el = document.createElement('xai-feature-grid');
    const rendered: number[] = [];
    el.addEventListener('xai-rendered', (e) => rendered.push((e as CustomEvent<{ tiles: number }>).detail.tiles));
    Object.assign(el, { images: slow, channels: [9, 8] });
    document.body.append(el);
    await el.updateComplete;
    Object.assign(el, { images: solidImages(), channels: undefined });
    await el.renderComplete;
    // The older run finishes last: had it gone on, its two white tiles would replace the newer four.
    release();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await el.renderComplete;
    expect(rendered).toEqual([4]);
    expect(el.tiles.map((t) => t.channel)).toEqual([0, 1, 2, 3]);
    expect(pixel(buttons(el)[0]!.querySelector('canvas')!, 1, 1)).toEqual([255, 0, 0, 255]);
  });

  it('bad input: xai-error and a visible message, never a wrong picture', async () => {
    const el = document.createElement('xai-feature-grid');
    document.body.append(el);
    const failed = nextEvent<XaiErrorDetail>(el, 'xai-error');
    el.images = { data: new Float32Array(10), shape: [1, 2, 5] };
    expect((await failed).detail.error.code).toBe('shape-mismatch');
    await el.updateComplete;
    expect(root(el).querySelector('[part="error"]')!.textContent).toMatch(/images must have shape \[count, height, width, 1 \| 3\]/);
    expect(buttons(el)).toHaveLength(0);
    const nan = nextEvent<XaiErrorDetail>(el, 'xai-error');
    el.images = undefined;
    el.activations = { data: Float32Array.from([0, NaN, 1, 2]), shape: [2, 2, 1] };
    expect((await nan).detail.error.code).toBe('invalid-input');
  });
});
