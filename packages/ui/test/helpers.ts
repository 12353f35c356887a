// SPDX-License-Identifier: Apache-2.0
// Test helpers for the browser tests: synthetic inputs and pixel statistics of screenshots.
import { page } from 'vitest/browser';
import type { ShapedArray } from '../src/index.js';

/** A size x size attribution: 0 everywhere, `hot` on the square [x0, x1) x [x0, x1). */
export function hotSquare(size: number, x0: number, x1: number, hot = 1, cold = 0): ShapedArray & { data: Float32Array } {
  const data = new Float32Array(size * size).fill(cold);
  for (let y = x0; y < x1; y++) for (let x = x0; x < x1; x++) data[y * size + x] = hot;
  return { data, shape: [size, size] };
}

/** A uniform grey RGBA image. */
export function greyImage(width: number, height: number, level = 128): ImageData {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < width * height; i++) data.set([level, level, level, 255], 4 * i);
  return new ImageData(data, width, height);
}

/** Decodes a base64 PNG into ImageData (in the page, through a 2D canvas). */
export async function decodePng(base64: string): Promise<ImageData> {
  const img = new Image();
  img.src = `data:image/png;base64,${base64}`;
  await img.decode();
  const canvas = document.createElement('canvas');
  canvas.width = img.naturalWidth;
  canvas.height = img.naturalHeight;
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  ctx.drawImage(img, 0, 0);
  return ctx.getImageData(0, 0, canvas.width, canvas.height);
}

/**
 * Screenshot of the page (Playwright, through vitest's page.screenshot), cropped to `canvas` and
 * sampled at the canvas's pixel centres, as ImageData of the canvas's pixel size.
 */
export async function screenshotCanvas(canvas: HTMLCanvasElement): Promise<ImageData> {
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))); // let a frame present
  const shot = await decodePng(await page.screenshot({ save: false }));
  const rect = canvas.getBoundingClientRect();
  const scale = shot.width / document.documentElement.clientWidth;
  const out = new ImageData(canvas.width, canvas.height);
  for (let y = 0; y < canvas.height; y++) {
    for (let x = 0; x < canvas.width; x++) {
      const sx = Math.floor((rect.left + ((x + 0.5) / canvas.width) * rect.width) * scale);
      const sy = Math.floor((rect.top + ((y + 0.5) / canvas.height) * rect.height) * scale);
      const from = 4 * (sy * shot.width + sx);
      out.data.set(shot.data.subarray(from, from + 4), 4 * (y * canvas.width + x));
    }
  }
  return out;
}

/** Mean [r, g, b] over the pixels of `data` for which `where(x, y)` is true. */
export function meanRgb(data: ImageData, where: (x: number, y: number) => boolean): [number, number, number] {
  const sum: [number, number, number] = [0, 0, 0];
  let n = 0;
  for (let y = 0; y < data.height; y++) {
    for (let x = 0; x < data.width; x++) {
      if (!where(x, y)) continue;
      const i = 4 * (y * data.width + x);
      sum[0] += data.data[i]!;
      sum[1] += data.data[i + 1]!;
      sum[2] += data.data[i + 2]!;
      n++;
    }
  }
  return [sum[0] / n, sum[1] / n, sum[2] / n];
}

/** Largest per-channel difference between two same-size ImageData. */
export function maxChannelDiff(a: ImageData, b: ImageData): number {
  if (a.width !== b.width || a.height !== b.height) throw new Error(`size ${a.width}x${a.height} != ${b.width}x${b.height}`);
  let max = 0;
  for (let i = 0; i < a.data.length; i++) max = Math.max(max, Math.abs(a.data[i]! - b.data[i]!));
  return max;
}

/** Waits for the next `type` event on `target`. */
export function nextEvent<T = unknown>(target: EventTarget, type: string): Promise<CustomEvent<T>> {
  return new Promise((resolve) => target.addEventListener(type, (e) => resolve(e as CustomEvent<T>), { once: true }));
}
