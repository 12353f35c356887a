// SPDX-License-Identifier: Apache-2.0
import { PNG } from 'pngjs';
import { renderHeatmapRef } from '@webxai/shaders';

/** Grey [0, 1] pixels of one image, upscaled, as packed RGBA8 (the heatmap renderer's image format). */
export function greyToRgba(grey: Float32Array, scale: number, width: number, height: number): Uint32Array<ArrayBuffer> {
  return Uint32Array.from(upscale(grey, scale, width, height), (g) => {
    const v = Math.round(Math.min(1, Math.max(0, g)) * 255);
    return ((255 << 24) | (v << 16) | (v << 8) | v) >>> 0; // little-endian RGBA
  });
}

/** Nearest-neighbour upscale of a [height, width] map. */
export function upscale(values: Float32Array, scale: number, width: number, height: number): Float32Array<ArrayBuffer> {
  const out = new Float32Array(width * scale * height * scale);
  for (let y = 0; y < height * scale; y++) {
    for (let x = 0; x < width * scale; x++) out[y * width * scale + x] = values[Math.floor(y / scale) * width + Math.floor(x / scale)]!;
  }
  return out;
}

/**
 * A horizontal strip of heatmap overlays (one per image), PNG-encoded. Signed maps use a diverging
 * colormap; CAM maps (all >= 0) use turbo.
 */
export function heatmapStripPng(images: Float32Array[], maps: Float32Array[], width: number, height: number, scale = 6): Buffer {
  const tileW = width * scale;
  const tileH = height * scale;
  const png = new PNG({ width: tileW * images.length, height: tileH });
  images.forEach((image, i) => {
    const values = upscale(maps[i]!, scale, width, height);
    const signed = values.some((v) => v < 0);
    const { pixels } = renderHeatmapRef(values, greyToRgba(image, scale, width, height), {
      width: tileW,
      height: tileH,
      colormap: signed ? 'RdBu' : 'turbo',
      reversed: signed, // RdBu reversed: positive evidence red, negative blue
      sign: signed ? 'both' : 'positive',
      clip: 99,
      mode: 'overlay',
      opacity: 0.6,
      topK: 100,
    });
    const bytes = new Uint8Array(pixels.buffer);
    for (let y = 0; y < tileH; y++) {
      png.data.set(bytes.subarray(y * tileW * 4, (y + 1) * tileW * 4), (y * png.width + i * tileW) * 4);
    }
  });
  return PNG.sync.write(png);
}

/** A small text rendering of a map for the terminal: darker glyphs = more attribution. */
export function asciiMap(map: Float32Array, width: number, height: number, step = 2): string {
  const glyphs = ' .:-=+*#%@';
  const max = map.reduce((m, v) => Math.max(m, Math.abs(v)), 0) || 1;
  const lines: string[] = [];
  for (let y = 0; y < height; y += step) {
    let line = '';
    for (let x = 0; x < width; x++) line += glyphs[Math.min(9, Math.floor((Math.abs(map[y * width + x]!) / max) * 9.99))];
    lines.push(line);
  }
  return lines.join('\n');
}
