// SPDX-License-Identifier: Apache-2.0
import { afterEach, describe, expect, it } from 'vitest';
import { liveBufferCount } from '@webxai/shaders';
import { requestTestDevice, trackBuffers } from '@webxai/testing';
import '../src/index.js';
import type { XaiHeatmap, XaiErrorDetail } from '../src/index.js';
import { decodePng, greyImage, hotSquare, maxChannelDiff, meanRgb, nextEvent, screenshotCanvas } from './helpers.js';

const SIZE = 64;
// Away from the square's edge, so screenshot scaling cannot blur the boundary into the statistics.
const inCore = (x: number, y: number) => x >= 23 && x < 33 && y >= 23 && y < 33;
const farOutside = (x: number, y: number) => !(x >= 16 && x < 40 && y >= 16 && y < 40);

async function mount(props: Partial<XaiHeatmap>): Promise<XaiHeatmap> {
  const el = document.createElement('xai-heatmap');
  Object.assign(el, props);
  document.body.append(el);
  await el.renderComplete;
  return el;
}

function canvasOf(el: XaiHeatmap): HTMLCanvasElement {
  const canvas = el.shadowRoot!.querySelector('canvas');
  if (!canvas) throw new Error(`no canvas (state ${el.state}: ${el.error?.message})`);
  return canvas;
}

afterEach(() => document.querySelectorAll('xai-heatmap').forEach((el) => el.remove()));

describe('<xai-heatmap> hot square (WebGPU and 2D-canvas paths)', () => {
  for (const renderer of ['webgpu', 'canvas2d'] as const) {
    it(`${renderer}: warm pixels on the square, cool elsewhere, in a screenshot`, async () => {
      const el = await mount({
        renderer,
        image: greyImage(SIZE, SIZE),
        attribution: hotSquare(SIZE, 20, 36),
        colormap: 'jet',
        signed: 'positive',
      });
      expect(el.state, el.error?.message).toBe('ready');
      expect(el.getAttribute('rendered-with')).toBe(renderer);
      const canvas = canvasOf(el);
      expect([canvas.width, canvas.height]).toEqual([SIZE, SIZE]);
      const shot = await screenshotCanvas(canvas);
      const [r1, , b1] = meanRgb(shot, inCore);
      const [r0, , b0] = meanRgb(shot, farOutside);
      console.log(renderer, 'square mean rgb', meanRgb(shot, inCore).map(Math.round), 'outside', meanRgb(shot, farOutside).map(Math.round));
      expect(r1 - b1).toBeGreaterThan(40); // jet's top end (dark red) over grey
      expect(b0 - r0).toBeGreaterThan(40); // jet's bottom end (dark blue) over grey
    });
  }

  it('both paths agree within 1 LSB, in the pixels and in the screenshots, for every mode', async () => {
    const attribution = hotSquare(SIZE, 20, 36, 0.8, -0.05);
    attribution.data[5] = -1; // something negative for the diverging map
    for (const mode of ['overlay', 'side-by-side', 'heatmap-only', 'masked', 'contour'] as const) {
      const common = {
        image: greyImage(SIZE, SIZE, 90),
        attribution,
        colormap: 'RdBu' as const,
        signed: 'both' as const,
        mode,
        opacity: 0.6,
      };
      const gpu = await mount({ ...common, renderer: 'webgpu' });
      const cpu = await mount({ ...common, renderer: 'canvas2d' });
      expect([gpu.renderedWith, cpu.renderedWith]).toEqual(['webgpu', 'canvas2d']);
      expect(gpu.info).toEqual(cpu.info);
      expect(maxChannelDiff(await gpu.pixels(), await cpu.pixels()), mode).toBeLessThanOrEqual(1);
      const [shotGpu, shotCpu] = [await screenshotCanvas(canvasOf(gpu)), await screenshotCanvas(canvasOf(cpu))];
      expect(maxChannelDiff(shotGpu, shotCpu), `${mode} screenshots`).toBeLessThanOrEqual(1);
      gpu.remove();
      cpu.remove();
    }
  });
});

describe('<xai-heatmap> behaviour', () => {
  it('re-renders on property changes', async () => {
    const el = await mount({ image: greyImage(SIZE, SIZE), attribution: hotSquare(SIZE, 20, 36), colormap: 'jet' });
    const before = await el.pixels();
    let rendered = nextEvent(el, 'xai-rendered');
    el.colormap = 'viridis';
    await rendered;
    const after = await el.pixels();
    expect(maxChannelDiff(before, after)).toBeGreaterThan(50);
    rendered = nextEvent(el, 'xai-rendered');
    el.attribution = hotSquare(SIZE, 0, 10);
    await rendered;
    const moved = await el.pixels();
    // viridis top (yellow) now at the new square's corner, and no longer at the old square.
    const px = (d: ImageData, x: number, y: number) => Array.from(d.data.subarray(4 * (y * SIZE + x), 4 * (y * SIZE + x) + 3));
    expect(px(moved, 5, 5)).not.toEqual(px(after, 5, 5));
    expect(px(moved, 28, 28)).not.toEqual(px(after, 28, 28));
    rendered = nextEvent(el, 'xai-rendered');
    el.mode = 'side-by-side';
    await rendered;
    expect(canvasOf(el).width).toBe(2 * SIZE);
  });

  it('clips at the 99th percentile by default, and the legend shows the range', async () => {
    const attribution = hotSquare(SIZE, 0, 64, 1); // all ones...
    attribution.data[0] = 1000; // ...and one outlier: the clip ignores it
    const el = await mount({ attribution, signed: 'both' });
    expect(el.info!.max).toBe(1000);
    expect(el.info!.clipValue).toBeLessThan(1.5);
    const ticks = [...el.shadowRoot!.querySelectorAll('[part=legend] .ticks span')].map((s) => s.textContent);
    expect(ticks).toHaveLength(3);
    expect(ticks[1]).toBe('0');
    expect(Number(ticks[2])).toBeCloseTo(el.info!.clipValue, 2);
  });

  it('shows the value under the pointer and under the keyboard cursor', async () => {
    const attribution = hotSquare(SIZE, 20, 36, 0.75);
    const el = await mount({ image: greyImage(SIZE, SIZE), attribution });
    const canvas = canvasOf(el);
    canvas.style.width = `${SIZE * 2}px`; // displayed at 2x: the read-out maps back to image pixels
    const rect = canvas.getBoundingClientRect();
    canvas.dispatchEvent(
      new PointerEvent('pointermove', { clientX: rect.left + 2 * 25 + 1, clientY: rect.top + 2 * 30 + 1, bubbles: true }),
    );
    await el.updateComplete;
    const readout = () => el.shadowRoot!.querySelector('[part=readout]')!.textContent.trim();
    expect(readout()).toBe('x 25, y 30: 0.75');
    canvas.dispatchEvent(new PointerEvent('pointerleave'));
    await el.updateComplete;
    expect(readout()).toBe('');
    el.focus();
    el.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight' }));
    await el.updateComplete;
    expect(readout()).toBe('x 32, y 32: 0.75'); // first key press puts the cursor at the centre
    el.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight', shiftKey: true }));
    await el.updateComplete;
    expect(readout()).toBe('x 42, y 32: 0');
    expect(el.tabIndex).toBe(0);
  });

  it('keeps the keyboard cursor inside the map and hides it on Escape', async () => {
    const el = await mount({ attribution: hotSquare(SIZE, 20, 36, 0.75) });
    const readout = () => el.shadowRoot!.querySelector('[part=readout]')!.textContent.trim();
    el.focus();
    const press = async (key: string, shiftKey = false) => {
      el.dispatchEvent(new KeyboardEvent('keydown', { key, shiftKey, cancelable: true }));
      await el.updateComplete;
    };
    await press('ArrowUp'); // shows the cursor at the centre (32, 32)
    for (let i = 0; i < 5; i++) await press('ArrowUp', true);
    for (let i = 0; i < 5; i++) await press('ArrowRight', true);
    expect(readout()).toBe('x 63, y 0: 0');
    await press('x'); // not a cursor key: nothing moves
    expect(readout()).toBe('x 63, y 0: 0');
    await press('Escape');
    expect(readout()).toBe('');
  });

  it('has an accessible text description', async () => {
    const el = await mount({ attribution: hotSquare(SIZE, 20, 36, 0.5), label: 'Saliency' });
    const figure = el.shadowRoot!.querySelector('[part=figure]')!;
    expect(figure.getAttribute('role')).toBe('img');
    const label = figure.getAttribute('aria-label')!;
    expect(label).toContain('Saliency attribution heatmap, 64 by 64 pixels');
    expect(label).toContain('Values range from 0 to 0.5');
    expect(label).toContain('Strongest attribution 0.5 at x 20, y 20');
  });

  it('toBlob() gives a PNG of exactly the shown pixels', async () => {
    const el = await mount({ image: greyImage(SIZE, SIZE), attribution: hotSquare(SIZE, 20, 36), renderer: 'webgpu' });
    const blob = await el.toBlob();
    expect(blob.type).toBe('image/png');
    const bytes = new Uint8Array(await blob.arrayBuffer());
    const decoded = await decodePng(btoa(String.fromCharCode(...bytes)));
    expect(maxChannelDiff(decoded, await el.pixels())).toBe(0);
  });

  it('accepts tensors-like inputs: [H, W, C] summed over channels, explain() results', async () => {
    const data = new Float32Array(4 * 4 * 3);
    for (let i = 0; i < 16; i++) data.set([1, -2, 0.5], 3 * i);
    const el = await mount({ attribution: { attribution: { shape: [4, 4, 3], data: () => Promise.resolve(data) } }, signed: 'both' });
    expect(el.state, el.error?.message).toBe('ready');
    expect(Array.from(el.attributionMap!.values)).toEqual(new Array(16).fill(-0.5));
    el.reduce = 'mean-abs';
    await el.renderComplete;
    expect(el.attributionMap!.values[0]).toBeCloseTo(3.5 / 3, 6);
  });
});

describe('<xai-heatmap> image inputs', () => {
  it('ImageData, ImageBitmap, <canvas>, [H, W, 3] in [0, 1] and [1, H, W, 1] in [0, 255] give the same picture', async () => {
    const level = 102; // 0.4 * 255
    const grey = greyImage(8, 8, level);
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = 8;
    canvas.getContext('2d')!.putImageData(grey, 0, 0);
    const inputs = [
      grey,
      await createImageBitmap(grey),
      canvas,
      { data: new Float32Array(8 * 8 * 3).fill(0.4), shape: [8, 8, 3] },
      { data: new Float32Array(8 * 8).fill(level), shape: [1, 8, 8, 1] },
    ];
    for (const image of inputs) {
      // opacity 0: the overlay is exactly the image.
      const el = await mount({ image, attribution: hotSquare(8, 2, 4), opacity: 0, renderer: 'canvas2d' });
      expect(el.state, el.error?.message).toBe('ready');
      const pixels = await el.pixels();
      expect(Array.from(pixels.data.subarray(0, 8)), image.constructor.name).toEqual([level, level, level, 255, level, level, level, 255]);
      el.remove();
    }
  });
});

describe('<xai-heatmap> bad input', () => {
  function expectError(el: XaiHeatmap, pattern: RegExp, code: string) {
    const shown = el.shadowRoot!.querySelector('[part=error]');
    expect(el.state).toBe('error');
    expect(el.getAttribute('state')).toBe('error');
    expect(shown?.textContent).toMatch(pattern);
    expect(el.error!.code).toBe(code);
    expect(el.shadowRoot!.querySelector('canvas')).toBeNull(); // no stale or blank picture
    expect(el.shadowRoot!.querySelector('[part=figure]')!.hasAttribute('hidden')).toBe(true);
  }

  it('attribution shape not matching the image: readable error + xai-error, after a good picture', async () => {
    const el = await mount({ image: greyImage(SIZE, SIZE), attribution: hotSquare(SIZE, 20, 36) });
    expect(el.state).toBe('ready');
    const error = nextEvent<XaiErrorDetail>(el, 'xai-error');
    el.attribution = hotSquare(32, 0, 8);
    expect((await error).detail.error.code).toBe('shape-mismatch');
    await el.renderComplete;
    expectError(el, /attribution is 32x32 .* image is 64x64/, 'shape-mismatch');
  });

  it('NaN values', async () => {
    const attribution = hotSquare(SIZE, 20, 36);
    attribution.data[3 * SIZE + 7] = NaN;
    const error = new Promise<CustomEvent<XaiErrorDetail>>((resolve) =>
      document.addEventListener('xai-error', (e) => resolve(e as CustomEvent<XaiErrorDetail>), { once: true }),
    );
    const el = await mount({ attribution });
    expect((await error).detail.error.code).toBe('invalid-input');
    expectError(el, /1 NaN or infinite value \(first at x=7, y=3\)/, 'invalid-input');
  });

  it('an unreachable image URL, an unknown colormap, a data/shape mismatch', async () => {
    const el = await mount({ image: '/no/such/image.png', attribution: hotSquare(SIZE, 20, 36) });
    expectError(el, /could not load image "\/no\/such\/image.png": HTTP 404/, 'invalid-input');
    el.image = undefined;
    el.colormap = 'hot' as never;
    await el.renderComplete;
    expectError(el, /colormap must be one of viridis, inferno, turbo, jet, RdBu, PiYG/, 'invalid-option');
    el.colormap = 'viridis';
    el.attribution = { data: new Float32Array(10), shape: [4, 4] };
    await el.renderComplete;
    expectError(el, /10 values but shape \[4, 4\] needs 16/, 'shape-mismatch');
    el.attribution = hotSquare(8, 1, 2);
    await el.renderComplete;
    expect(el.state).toBe('ready'); // recovers
  });
});

describe('<xai-heatmap> without WebGPU', () => {
  it('renderer="auto" falls back to the 2D canvas and says so in attributes', async () => {
    // Hide navigator.gpu (an own property shadows Navigator.prototype's getter), as in a browser without WebGPU.
    Object.defineProperty(navigator, 'gpu', { value: undefined, configurable: true });
    try {
      const el = await mount({ image: greyImage(SIZE, SIZE), attribution: hotSquare(SIZE, 20, 36), colormap: 'jet', signed: 'positive' });
      expect(el.state, el.error?.message).toBe('ready');
      expect(el.getAttribute('rendered-with')).toBe('canvas2d');
      expect(el.getAttribute('fallback-reason')).toMatch(/WebGPU unavailable.*navigator.gpu is not available/);
      const shot = await screenshotCanvas(canvasOf(el));
      const [r1, , b1] = meanRgb(shot, inCore);
      expect(r1 - b1).toBeGreaterThan(40);
      // renderer="webgpu" does not fall back: it shows the error.
      el.renderer = 'webgpu';
      await el.renderComplete;
      expect(el.state).toBe('error');
      expect(el.error!.code).toBe('webgpu-unavailable');
    } finally {
      delete (navigator as { gpu?: unknown }).gpu;
    }
    expect(navigator.gpu).toBeTruthy();
  });
});

describe('<xai-heatmap> superseded renders', () => {
  it('a newer input supersedes a render in flight: the older picture is never drawn', async () => {
    // An image whose pixels arrive only when released: the first render waits inside it.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slowImage = { shape: [16, 16, 3], data: async () => (await gate, new Float32Array(16 * 16 * 3).fill(0.5)) };
    const el = document.createElement('xai-heatmap');
    const events: string[] = [];
    el.addEventListener('xai-error', () => events.push('error'));
    el.addEventListener('xai-rendered', () => events.push(`drawn ${String(el.attributionMap?.values[8 * 16 + 9])}`));
    Object.assign(el, { renderer: 'webgpu', image: slowImage, attribution: hotSquare(16, 2, 6) });
    document.body.append(el);
    await el.updateComplete;
    expect(el.state).toBe('loading'); // the first render is in flight, waiting for its image
    // Same size, another square: had the first render gone on, it would draw (and announce) its picture.
    Object.assign(el, { image: greyImage(16, 16), attribution: hotSquare(16, 8, 12) });
    await el.updateComplete;
    release();
    await el.renderComplete;
    expect(el.state, el.error?.message).toBe('ready');
    expect(events).toEqual(['drawn 1']); // one picture, the newer square's (pixel 9,8 is inside it)
  });
});

describe('<xai-heatmap> GPU resources', () => {
  it('frees every GPU buffer when removed', async () => {
    const device = (await requestTestDevice())!;
    const tracker = trackBuffers(device);
    const el = await mount({
      device,
      renderer: 'webgpu',
      image: greyImage(SIZE, SIZE),
      attribution: hotSquare(SIZE, 20, 36),
      mode: 'contour',
    });
    expect(el.state, el.error?.message).toBe('ready');
    el.attribution = hotSquare(48, 1, 9); // a size change re-allocates
    el.image = greyImage(48, 48);
    await el.renderComplete;
    expect(el.state, el.error?.message).toBe('ready');
    expect(tracker.live()).toBeGreaterThan(0);
    expect(liveBufferCount(device)).toBe(el.gpuBufferCount);
    el.remove();
    await el.renderComplete;
    expect(tracker.live()).toBe(0);
    expect(liveBufferCount(device)).toBe(0);
    // Re-attached, it renders again (fresh resources), and frees them again on removal.
    document.body.append(el);
    await el.renderComplete;
    expect(el.state).toBe('ready');
    el.remove();
    await el.renderComplete;
    expect(tracker.live()).toBe(0);
    device.destroy();
  });
});
