// SPDX-License-Identifier: Apache-2.0
import sharp from 'sharp';
import { renderHeatmapRef } from '@webxai/shaders';

/** Overlays and previews are at least this many pixels on their long side (small inputs are upscaled). */
const DISPLAY_SIZE = 224;

/** Integer upscale factor that brings a w x h image to about DISPLAY_SIZE. */
export function displayScale(width: number, height: number): number {
  return Math.max(1, Math.floor(DISPLAY_SIZE / Math.max(width, height)));
}

/** Nearest-neighbour upscale of a [height, width, channels] array by an integer factor. */
export function upscale(values: Float32Array, width: number, height: number, channels: number, scale: number): Float32Array<ArrayBuffer> {
  const out = new Float32Array(width * scale * height * scale * channels);
  for (let y = 0; y < height * scale; y++) {
    const row = Math.floor(y / scale) * width;
    for (let x = 0; x < width * scale; x++) {
      const src = (row + Math.floor(x / scale)) * channels;
      out.set(values.subarray(src, src + channels), (y * width * scale + x) * channels);
    }
  }
  return out;
}

/** [0, 1] pixels (grey or RGB) as packed little-endian RGBA8, the heatmap renderer's image format. */
export function toPackedRgba(pixels: Float32Array, channels: number): Uint32Array<ArrayBuffer> {
  const n = pixels.length / channels;
  const out = new Uint32Array(n);
  const byte = (v: number) => Math.round(Math.min(1, Math.max(0, v)) * 255);
  for (let p = 0; p < n; p++) {
    const r = byte(pixels[p * channels]!);
    const g = channels >= 3 ? byte(pixels[p * channels + 1]!) : r;
    const b = channels >= 3 ? byte(pixels[p * channels + 2]!) : r;
    out[p] = ((255 << 24) | (b << 16) | (g << 8) | r) >>> 0;
  }
  return out;
}

async function pngOf(rgba: Uint8Array, width: number, height: number): Promise<Buffer> {
  return sharp(rgba, { raw: { width, height, channels: 4 } })
    .png()
    .toBuffer();
}

/** The model's input image (what the model saw, before preprocess), upscaled for display, as PNG. */
export function inputPng(pixels: Float32Array, width: number, height: number, channels: number): Promise<Buffer> {
  const scale = displayScale(width, height);
  const rgba = toPackedRgba(upscale(pixels, width, height, channels, scale), channels);
  return pngOf(new Uint8Array(rgba.buffer), width * scale, height * scale);
}

/**
 * A heatmap overlay as PNG: signed maps in a diverging colormap (RdBu reversed: positive evidence
 * red, negative blue), maps that are never negative (CAMs) in turbo; 99th-percentile clip.
 */
export function overlayPng(map: Float32Array, pixels: Float32Array, width: number, height: number, channels: number): Promise<Buffer> {
  const scale = displayScale(width, height);
  const values = upscale(map, width, height, 1, scale);
  const signed = isSigned(map);
  const { pixels: out } = renderHeatmapRef(values, toPackedRgba(upscale(pixels, width, height, channels, scale), channels), {
    width: width * scale,
    height: height * scale,
    colormap: signed ? 'RdBu' : 'turbo',
    reversed: signed,
    sign: signed ? 'both' : 'positive',
    clip: 99,
    mode: 'overlay',
    opacity: 0.6,
    topK: 100,
  });
  return pngOf(new Uint8Array(out.buffer, out.byteOffset, out.byteLength), width * scale, height * scale);
}

/** True when a map has negative values (shown with a diverging colormap). */
export function isSigned(map: Float32Array): boolean {
  return map.some((v) => v < 0);
}
