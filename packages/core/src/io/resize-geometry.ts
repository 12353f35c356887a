// SPDX-License-Identifier: Apache-2.0
import { InvalidInputError, InvalidOptionError } from '@webxai/shaders';

/**
 * How an image meets the model's input size:
 * - `crop`: scale to cover, keep the centre (Teachable Machine's way; the default);
 * - `fit`: scale to fit inside, pad the rest (letterbox);
 * - `fill`: stretch to the size, ignoring aspect ratio.
 */
export type ResizeMode = 'crop' | 'fit' | 'fill';

export const RESIZE_MODES: readonly ResizeMode[] = ['crop', 'fit', 'fill'];

/** An integer pixel rectangle. */
export interface PixelRect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** Which part of the source goes where in the target: `drawImage(src, ...source, ...target)`. */
export interface ResizeGeometry {
  readonly source: PixelRect;
  readonly target: PixelRect;
}

/**
 * The rectangles that map a `src` image onto a `dst` canvas in `mode`; pixels of `dst` outside
 * `target` are padding (only in `fit`). Rectangles are whole pixels and never empty, so a canvas's
 * drawImage and sharp's extract/resize/extend give the same picture.
 * @example
 * resizeGeometry({ width: 400, height: 300 }, { width: 224, height: 224 }, 'crop');
 * // { source: { x: 50, y: 0, width: 300, height: 300 }, target: { x: 0, y: 0, width: 224, height: 224 } }
 */
export function resizeGeometry(
  src: { readonly width: number; readonly height: number },
  dst: { readonly width: number; readonly height: number },
  mode: ResizeMode,
): ResizeGeometry {
  for (const [name, size] of [
    ['source', src],
    ['target', dst],
  ] as const) {
    if (!(Number.isInteger(size.width) && Number.isInteger(size.height) && size.width > 0 && size.height > 0)) {
      throw new InvalidInputError(`resizeGeometry: ${name} size must be positive integers, got ${size.width}x${size.height}`);
    }
  }
  const whole = (w: number, h: number) => ({ x: 0, y: 0, width: w, height: h });
  switch (mode) {
    case 'fill':
      return { source: whole(src.width, src.height), target: whole(dst.width, dst.height) };
    case 'crop': {
      // The largest centred source rectangle with the target's aspect ratio.
      const scale = Math.max(dst.width / src.width, dst.height / src.height);
      const width = clamp(Math.round(dst.width / scale), src.width);
      const height = clamp(Math.round(dst.height / scale), src.height);
      return { source: centred(width, height, src.width, src.height), target: whole(dst.width, dst.height) };
    }
    case 'fit': {
      const scale = Math.min(dst.width / src.width, dst.height / src.height);
      const width = clamp(Math.round(src.width * scale), dst.width);
      const height = clamp(Math.round(src.height * scale), dst.height);
      return { source: whole(src.width, src.height), target: centred(width, height, dst.width, dst.height) };
    }
    default:
      throw new InvalidOptionError(`unknown resize mode '${String(mode)}'; valid: ${RESIZE_MODES.join(', ')}`);
  }
}

function clamp(v: number, max: number): number {
  return Math.min(max, Math.max(1, v));
}

function centred(width: number, height: number, outerWidth: number, outerHeight: number): PixelRect {
  return { x: Math.floor((outerWidth - width) / 2), y: Math.floor((outerHeight - height) / 2), width, height };
}
