// SPDX-License-Identifier: Apache-2.0
// A picture as the page holds it (the original, any size) and as the model sees it: centre-cropped
// to the model's aspect ratio and scaled to its input size, as Teachable Machine does
// (core's resizeGeometry 'crop'); the crop is drawn on the original so you see what the model sees.
import { resizeGeometry, type PixelRect } from '@webxai/core/io';
import { shapesCnnSplit, shapesSample, SHAPES_LABELS, SHAPES_SIZE } from '@webxai/models';

/** An image the user picked: the original pixels, at their own size. */
export interface Picture {
  readonly name: string;
  readonly original: HTMLCanvasElement;
  /** Exact grey pixels for a 28x28 MNIST digit (kept as floats: drawn digits are not byte-rounded). */
  readonly digit?: Float32Array;
  /** Exact pixels in [0, 1] at a model's input size (a data-set sample), used when the model's input matches. */
  readonly exact?: { readonly pixels: Float32Array; readonly width: number; readonly height: number; readonly channels: number };
  /** Ground truth: 1 where the object is (h * w, the size of `exact`). */
  readonly mask?: Uint8Array;
}

/** The picture at the model's input size. */
export interface ModelView {
  /** RGBA at width x height (what the heatmaps show). */
  readonly image: ImageData;
  /** Pixels in [0, 1], [h, w, channels] row-major (grey = mean of R, G, B). */
  readonly pixels: Float32Array;
  /** The part of the original that was kept. */
  readonly crop: PixelRect;
  /** The picture's ground-truth mask (1 on the object), when the view is the picture's exact pixels. */
  readonly mask?: Uint8Array;
}

/** A canvas holding `source` at its own size. */
export function canvasOf(source: CanvasImageSource, width: number, height: number): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  canvas.getContext('2d')!.drawImage(source, 0, 0, width, height);
  return canvas;
}

/** Pixels in [0, 1] with `channels` channels (1: mean of R, G, B; 3: R, G, B) from RGBA bytes. */
export function pixelsOf(image: ImageData, channels: number): Float32Array {
  const n = image.width * image.height;
  const out = new Float32Array(n * channels);
  const d = image.data;
  for (let p = 0; p < n; p++) {
    if (channels === 1) out[p] = (d[4 * p]! + d[4 * p + 1]! + d[4 * p + 2]!) / (3 * 255);
    else for (let c = 0; c < channels; c++) out[p * channels + c] = d[4 * p + Math.min(c, 2)]! / 255;
  }
  return out;
}

/** Grey [0, 1] pixels as opaque RGBA. */
export function greyImage(pixels: Float32Array, width: number, height: number): ImageData {
  const image = new ImageData(width, height);
  for (let p = 0; p < width * height; p++) {
    const v = Math.round(pixels[p]! * 255);
    image.data.set([v, v, v, 255], 4 * p);
  }
  return image;
}

/** [0, 1] pixels with 1 or 3 channels as opaque RGBA. */
export function rgbImage(pixels: Float32Array, width: number, height: number, channels: number): ImageData {
  if (channels === 1) return greyImage(pixels, width, height);
  const image = new ImageData(width, height);
  for (let p = 0; p < width * height; p++) {
    for (let c = 0; c < 3; c++) image.data[4 * p + c] = Math.round(pixels[3 * p + c]! * 255);
    image.data[4 * p + 3] = 255;
  }
  return image;
}

/** Centre-crops and scales `picture` to `size` (a 28x28 digit on a 28x28 model keeps its exact pixels). */
export function toModelView(picture: Picture, size: { width: number; height: number; channels: number }): ModelView {
  const { original } = picture;
  const crop = resizeGeometry(original, size, 'crop').source;
  if (picture.digit && size.width === 28 && size.height === 28 && size.channels === 1) {
    return { image: greyImage(picture.digit, 28, 28), pixels: picture.digit, crop };
  }
  const { exact } = picture;
  if (exact && exact.width === size.width && exact.height === size.height && exact.channels === size.channels) {
    return {
      image: rgbImage(exact.pixels, exact.width, exact.height, exact.channels),
      pixels: exact.pixels,
      crop,
      ...(picture.mask ? { mask: picture.mask } : {}),
    };
  }
  const canvas = document.createElement('canvas');
  canvas.width = size.width;
  canvas.height = size.height;
  const g = canvas.getContext('2d', { willReadFrequently: true })!;
  g.imageSmoothingQuality = 'high';
  g.drawImage(original, crop.x, crop.y, crop.width, crop.height, 0, 0, size.width, size.height);
  const image = g.getImageData(0, 0, size.width, size.height);
  return { image, pixels: pixelsOf(image, size.channels), crop };
}

/** Draws the original into `canvas` (fitted) with everything outside the crop dimmed and the crop outlined. */
export function drawCrop(canvas: HTMLCanvasElement, picture: Picture, crop: PixelRect): void {
  const { original } = picture;
  const scale = Math.min(canvas.width / original.width, canvas.height / original.height);
  const w = original.width * scale;
  const h = original.height * scale;
  const x0 = (canvas.width - w) / 2;
  const y0 = (canvas.height - h) / 2;
  const g = canvas.getContext('2d')!;
  g.clearRect(0, 0, canvas.width, canvas.height);
  g.imageSmoothingEnabled = original.width >= canvas.width; // small digits stay pixelated
  g.drawImage(original, x0, y0, w, h);
  const cx = x0 + crop.x * scale;
  const cy = y0 + crop.y * scale;
  const cw = crop.width * scale;
  const ch = crop.height * scale;
  g.fillStyle = 'rgb(0 0 0 / 55%)';
  g.fillRect(x0, y0, w, cy - y0);
  g.fillRect(x0, cy + ch, w, y0 + h - cy - ch);
  g.fillRect(x0, cy, cx - x0, ch);
  g.fillRect(cx + cw, cy, x0 + w - cx - cw, ch);
  g.strokeStyle = '#ffd400';
  g.lineWidth = 2;
  g.strokeRect(cx + 1, cy + 1, cw - 2, ch - 2);
}

/** Decodes an image file (upload, paste, drop) into a Picture. */
export async function pictureFromFile(file: Blob, name: string): Promise<Picture> {
  if (!file.type.startsWith('image/'))
    throw new Error(`${name} is not an image (type '${file.type || 'unknown'}'); pick a PNG, JPEG, WebP or GIF`);
  const bitmap = await createImageBitmap(file).catch((cause: unknown) => {
    throw new Error(`${name} could not be decoded as an image: ${cause instanceof Error ? cause.message : String(cause)}`);
  });
  const original = canvasOf(bitmap, bitmap.width, bitmap.height);
  bitmap.close();
  return { name, original };
}

/** Held-out images of the shapes data set (never trained on), two of each class, with their ground-truth masks. */
export function shapesPictures(count = 8): Picture[] {
  const { seed, first } = shapesCnnSplit.heldOut;
  return Array.from({ length: count }, (_, i) => {
    const s = shapesSample(seed, first + i);
    const canvas = document.createElement('canvas');
    canvas.width = SHAPES_SIZE;
    canvas.height = SHAPES_SIZE;
    canvas.getContext('2d')!.putImageData(rgbImage(s.image, SHAPES_SIZE, SHAPES_SIZE, 3), 0, 0);
    const exact = { pixels: s.image, width: SHAPES_SIZE, height: SHAPES_SIZE, channels: 3 };
    return { name: `shapes sample ${i + 1} (a ${SHAPES_LABELS[s.label]})`, original: canvas, exact, mask: s.mask };
  });
}

/** Sample pictures drawn in code (no downloads): coloured shapes on a light background, 320 x 240. */
export function samplePictures(): Picture[] {
  const draw = (name: string, paint: (g: CanvasRenderingContext2D) => void): Picture => {
    const canvas = document.createElement('canvas');
    canvas.width = 320;
    canvas.height = 240;
    const g = canvas.getContext('2d')!;
    g.fillStyle = '#f2efe6';
    g.fillRect(0, 0, 320, 240);
    paint(g);
    return { name, original: canvas };
  };
  return [
    draw('a red circle', (g) => {
      g.fillStyle = '#d22';
      g.beginPath();
      g.arc(160, 120, 70, 0, 2 * Math.PI);
      g.fill();
    }),
    draw('a blue square', (g) => {
      g.fillStyle = '#2354d8';
      g.fillRect(95, 55, 130, 130);
    }),
    draw('a green triangle', (g) => {
      g.fillStyle = '#1a9a3a';
      g.beginPath();
      g.moveTo(160, 40);
      g.lineTo(250, 200);
      g.lineTo(70, 200);
      g.closePath();
      g.fill();
    }),
  ];
}
