// SPDX-License-Identifier: Apache-2.0
// Draw a digit with the mouse, pen or finger; it is turned into an MNIST-style 28x28 digit.
import { SIZE } from './digits.js';

const BOX = 20; // MNIST digits fit a 20x20 box, centred by their centre of mass in 28x28.

/**
 * MNIST preprocessing of a white-on-black drawing: crop to the ink, scale the longer side to 20 px
 * (keeping the aspect ratio), then place it so its centre of mass is the centre of a 28x28 image.
 * Returns undefined when nothing is drawn.
 */
export function toMnistDigit(source: HTMLCanvasElement): Float32Array | undefined {
  const { width, height } = source;
  const ink = source.getContext('2d')!.getImageData(0, 0, width, height).data;
  let x0 = width,
    y0 = height,
    x1 = -1,
    y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (ink[4 * (y * width + x)]! > 16) {
        x0 = Math.min(x0, x);
        x1 = Math.max(x1, x);
        y0 = Math.min(y0, y);
        y1 = Math.max(y1, y);
      }
    }
  }
  if (x1 < 0) return undefined;
  const scale = BOX / Math.max(x1 - x0 + 1, y1 - y0 + 1);
  const w = Math.max(1, Math.round((x1 - x0 + 1) * scale));
  const h = Math.max(1, Math.round((y1 - y0 + 1) * scale));
  const boxed = document.createElement('canvas');
  boxed.width = w;
  boxed.height = h;
  const g = boxed.getContext('2d', { willReadFrequently: true })!;
  g.imageSmoothingQuality = 'high';
  g.drawImage(source, x0, y0, x1 - x0 + 1, y1 - y0 + 1, 0, 0, w, h);
  const small = g.getImageData(0, 0, w, h).data;
  let mass = 0,
    mx = 0,
    my = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const v = small[4 * (y * w + x)]! / 255;
      mass += v;
      mx += v * x;
      my += v * y;
    }
  }
  const dx = Math.round(SIZE / 2 - (mass > 0 ? mx / mass : w / 2) - 0.5);
  const dy = Math.round(SIZE / 2 - (mass > 0 ? my / mass : h / 2) - 0.5);
  const pixels = new Float32Array(SIZE * SIZE);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const tx = x + dx,
        ty = y + dy;
      if (tx >= 0 && tx < SIZE && ty >= 0 && ty < SIZE) pixels[ty * SIZE + tx] = small[4 * (y * w + x)]! / 255;
    }
  }
  return pixels;
}

/** Makes `canvas` a drawing surface; `onDigit` gets the digit after every stroke (undefined after Clear). */
export function attachDrawPad(
  canvas: HTMLCanvasElement,
  clear: HTMLButtonElement,
  onDigit: (pixels: Float32Array | undefined) => void,
): void {
  const g = canvas.getContext('2d', { willReadFrequently: true })!;
  const reset = () => {
    g.fillStyle = '#000';
    g.fillRect(0, 0, canvas.width, canvas.height);
  };
  reset();
  g.strokeStyle = '#fff';
  g.lineCap = 'round';
  g.lineJoin = 'round';
  g.lineWidth = canvas.width / 11;
  let last: { x: number; y: number } | undefined;
  const at = (e: PointerEvent) => {
    const r = canvas.getBoundingClientRect();
    return { x: ((e.clientX - r.left) * canvas.width) / r.width, y: ((e.clientY - r.top) * canvas.height) / r.height };
  };
  canvas.addEventListener('pointerdown', (e) => {
    canvas.setPointerCapture(e.pointerId);
    last = at(e);
    g.beginPath();
    g.arc(last.x, last.y, g.lineWidth / 2, 0, 2 * Math.PI);
    g.fillStyle = '#fff';
    g.fill();
  });
  canvas.addEventListener('pointermove', (e) => {
    if (!last) return;
    const p = at(e);
    g.beginPath();
    g.moveTo(last.x, last.y);
    g.lineTo(p.x, p.y);
    g.stroke();
    last = p;
  });
  const end = () => {
    if (!last) return;
    last = undefined;
    onDigit(toMnistDigit(canvas));
  };
  canvas.addEventListener('pointerup', end);
  canvas.addEventListener('pointercancel', end);
  clear.addEventListener('click', () => {
    reset();
    onDigit(undefined);
  });
}
