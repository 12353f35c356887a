// SPDX-License-Identifier: Apache-2.0
import { afterEach, describe, expect, it } from 'vitest';
import { liveBufferCount } from '@webxai/shaders';
import { requestTestDevice, trackBuffers } from '@webxai/testing';
import '../src/index.js';
import type { XaiCompare, XaiErrorDetail, XaiHeatmap } from '../src/index.js';
import { greyImage, hotSquare, nextEvent } from './helpers.js';

const SIZE = 32;

async function mount(props: Partial<XaiCompare>): Promise<XaiCompare> {
  const el = document.createElement('xai-compare');
  Object.assign(el, props);
  document.body.append(el);
  await el.renderComplete;
  return el;
}

const cells = (el: XaiCompare) => [...el.shadowRoot!.querySelectorAll<XaiHeatmap>('xai-heatmap')];

afterEach(() => document.querySelectorAll('xai-compare').forEach((el) => el.remove()));

describe('<xai-compare>', () => {
  it('renders one labelled heatmap per item', async () => {
    const el = await mount({
      image: greyImage(SIZE, SIZE),
      items: [
        { label: 'Saliency', attribution: hotSquare(SIZE, 4, 12) },
        { label: 'Integrated gradients', attribution: hotSquare(SIZE, 16, 28, 3) },
      ],
    });
    const heatmaps = cells(el);
    expect(heatmaps).toHaveLength(2);
    expect(heatmaps.map((h) => h.state)).toEqual(['ready', 'ready']);
    expect([...el.shadowRoot!.querySelectorAll('figcaption')].map((c) => c.textContent)).toEqual(['Saliency', 'Integrated gradients']);
    // Each cell has its own scale: both saturate at their own hot value.
    expect(heatmaps.map((h) => h.info!.clipValue)).toEqual([1, 3]);
  });

  it('shares one colour scale when asked, and re-renders when items change', async () => {
    const el = await mount({
      sharedScale: true,
      items: [
        { label: 'a', attribution: hotSquare(SIZE, 4, 12, 1) },
        { label: 'b', attribution: hotSquare(SIZE, 16, 28, 3) },
      ],
    });
    expect(el.sharedRange).toBe(3);
    expect(cells(el).map((h) => h.info!.clipValue)).toEqual([3, 3]);
    // With a shared scale, a's hot square (1 of 3) is not saturated: its colour differs from b's.
    const [pa, pb] = [await cells(el)[0]!.pixels(), await cells(el)[1]!.pixels()];
    const at = (d: ImageData, x: number, y: number) => Array.from(d.data.subarray(4 * (y * SIZE + x), 4 * (y * SIZE + x) + 3));
    expect(at(pa, 8, 8)).not.toEqual(at(pb, 20, 20));
    expect(el.shadowRoot!.querySelector('[part=scale]')!.textContent).toContain('saturates at 3');
    el.items = [{ label: 'c', attribution: hotSquare(SIZE, 0, 4, 5) }];
    await el.renderComplete;
    expect(cells(el)).toHaveLength(1);
    expect(el.sharedRange).toBe(5);
    expect(cells(el)[0]!.info!.clipValue).toBe(5);
  });

  it('never injects labels as HTML', async () => {
    const evil = '<img src=x onerror="window.__pwned = 1"><b>bold</b>';
    const el = await mount({ items: [{ label: evil, attribution: hotSquare(SIZE, 4, 12) }] });
    const caption = el.shadowRoot!.querySelector('figcaption')!;
    expect(caption.textContent).toBe(evil);
    expect(caption.querySelector('img, b')).toBeNull();
    expect(el.shadowRoot!.querySelector('img')).toBeNull();
    expect((window as { __pwned?: number }).__pwned).toBeUndefined();
    // The label also reaches the heatmap's accessible description as text.
    expect(cells(el)[0]!.shadowRoot!.querySelector('[part=figure]')!.getAttribute('aria-label')).toContain(evil);
  });

  it('shows a readable error and fires xai-error for a bad item', async () => {
    const el = document.createElement('xai-compare');
    const error = nextEvent<XaiErrorDetail>(el, 'xai-error');
    el.items = [
      { label: 'ok', attribution: hotSquare(SIZE, 4, 12) },
      { label: 'bad', attribution: { data: [1, NaN, 2, 3], shape: [2, 2] } },
    ];
    document.body.append(el);
    expect((await error).detail.error.code).toBe('invalid-input');
    await el.renderComplete;
    expect(el.shadowRoot!.querySelector('[part=error]')!.textContent).toMatch(/NaN/);
    expect(cells(el)).toHaveLength(0);
  });

  it('a newer input supersedes a run in flight: the older cells are never shown', async () => {
    // An item whose values arrive only when released: the first run waits inside it.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow = { shape: [SIZE, SIZE], data: async () => (await gate, hotSquare(SIZE, 4, 12, 7).data) };
    const el = document.createElement('xai-compare');
    const errors: unknown[] = [];
    el.addEventListener('xai-error', (e) => errors.push(e));
    Object.assign(el, { sharedScale: true, items: [{ label: 'old', attribution: slow }] });
    document.body.append(el);
    await el.updateComplete;
    el.items = [{ label: 'new', attribution: hotSquare(SIZE, 16, 28, 2) }];
    await el.renderComplete;
    // The older run finishes last: had it gone on, its map (hot 7) and scale would replace the newer.
    release();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await el.renderComplete;
    expect(errors).toEqual([]);
    expect(el.sharedRange).toBe(2);
    expect(cells(el)).toHaveLength(1);
    expect(cells(el)[0]!.attributionMap!.values[20 * SIZE + 20]).toBe(2);
    expect(cells(el)[0]!.attributionMap!.values[8 * SIZE + 8]).toBe(0);
  });

  it('frees the cells’ GPU buffers when removed', async () => {
    const device = (await requestTestDevice())!;
    const tracker = trackBuffers(device);
    const el = await mount({
      device,
      renderer: 'webgpu',
      items: [
        { label: 'a', attribution: hotSquare(SIZE, 4, 12) },
        { label: 'b', attribution: hotSquare(SIZE, 8, 12) },
      ],
    });
    expect(cells(el).map((h) => h.renderedWith)).toEqual(['webgpu', 'webgpu']);
    expect(tracker.live()).toBeGreaterThan(0);
    const heatmaps = cells(el);
    el.remove();
    await Promise.all(heatmaps.map((h) => h.renderComplete));
    expect(tracker.live()).toBe(0);
    expect(liveBufferCount(device)).toBe(0);
    device.destroy();
  });
});
