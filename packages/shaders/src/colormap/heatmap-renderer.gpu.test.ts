// SPDX-License-Identifier: Apache-2.0
import { describe, expect } from 'vitest';
import { gpuTest, seededInts, seededNormal } from '@webxai/testing';
import { liveBufferCount } from '../runtime/buffers.js';
import { HeatmapRenderer } from './heatmap-renderer.js';
import type { HeatmapOptions } from './heatmap-options.js';
import { renderHeatmapRef } from './heatmap-render.ref.js';
import type { BlendMode } from './heatmap-blend.ref.js';
import { unpackRgba } from './luts.js';

const BASE: Omit<HeatmapOptions, 'width' | 'height' | 'mode'> = {
  colormap: 'turbo',
  sign: 'both',
  clip: 99,
  opacity: 0.5,
  topK: 10,
};

describe('HeatmapRenderer (whole GPU pipeline) vs renderHeatmapRef', () => {
  gpuTest.for(
    (['overlay', 'side-by-side', 'heatmap-only', 'masked', 'contour'] as BlendMode[]).map((mode, i) => ({
      mode,
      width: [5, 40, 64, 17, 224][i]!,
      height: [3, 30, 64, 90, 224][i]!,
    })),
  )('$mode at $width x $height: within 1 LSB, same clip value, no leaked buffers', async ({ mode, width, height }, { device }) => {
    const count = width * height;
    const values = seededNormal(count, count, 0.3);
    const image = Uint32Array.from(seededInts(count, count + 5, 0, 2 ** 31));
    const options = { ...BASE, width, height, mode };
    const renderer = new HeatmapRenderer(device);
    const info = await renderer.render(values, image, options);
    const gpu = await renderer.read(info);
    const ref = renderHeatmapRef(values, image, options);
    expect(info).toEqual(ref.info);
    expect(Array.from(gpu).flatMap(unpackRgba)).toBeAllClose(Array.from(ref.pixels).flatMap(unpackRgba), { abs: 1, rel: 0 });
    // A second render at another size re-allocates, and dispose frees everything.
    await renderer.render(values.subarray(0, width), image.subarray(0, width), { ...options, height: 1 });
    renderer.dispose();
    expect(liveBufferCount(device)).toBe(0);
  });

  gpuTest('rejects bad options with messages that name the option', () => {
    const values = new Float32Array(4);
    const image = new Uint32Array(4);
    const o = { ...BASE, width: 2, height: 2, mode: 'overlay' as const };
    expect(() => renderHeatmapRef(values, image, { ...o, clip: 0 })).toThrow(/clip must be/);
    expect(() => renderHeatmapRef(values, image, { ...o, colormap: 'hot' as never })).toThrow(/colormap must be one of/);
    expect(() => renderHeatmapRef(values, image, { ...o, opacity: 2 })).toThrow(/opacity/);
  });
});
