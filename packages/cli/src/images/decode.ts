// SPDX-License-Identifier: Apache-2.0
import { statSync } from 'node:fs';
import sharp from 'sharp';
import type { Metadata, OutputInfo, SharpOptions } from 'sharp';
import { resizeGeometry, type ResizeMode } from '@webxai/core/io';

/** An image at the model's input size, channels-last, values in [0, 1]. */
export interface DecodedImage {
  readonly pixels: Float32Array<ArrayBuffer>;
  readonly width: number;
  readonly height: number;
  readonly channels: number;
  /** The file as found: size, format and what was converted on the way (CMYK, 16-bit, alpha, frames). */
  readonly source: { readonly width: number; readonly height: number; readonly format: string; readonly notes: string[] };
}

/** Why an image was skipped: its message names the file's problem. */
export class ImageDecodeError extends Error {
  override readonly name = 'ImageDecodeError';
}

/** The model's input size. */
export interface InputSize {
  readonly width: number;
  readonly height: number;
  readonly channels: number;
}

/** Samples deeper than 8 bits: decoded at 16 bits, so nothing is lost on the way to the model's floats. */
const isDeep = (meta: Metadata) => meta.depth === 'ushort';

/**
 * What was converted on the way, said explicitly (results.json `source.notes`, report.html): CMYK
 * is converted colour-managed (a viewer shows the same colours; CMYK's gamut makes it no lossless
 * round trip), 16-bit samples are kept at 16 bits (exact), alpha is dropped, only frame 1 is read.
 */
function describe(meta: Metadata): string[] {
  const notes: string[] = [];
  if (meta.space === 'cmyk') {
    notes.push(
      meta.hasProfile
        ? 'CMYK converted to sRGB with its embedded ICC profile'
        : 'CMYK converted to sRGB with a generic CMYK profile (none embedded: colours approximate)',
    );
  }
  if (isDeep(meta)) notes.push('16-bit samples read at full precision (no 8-bit rounding)');
  else if (meta.depth && meta.depth !== 'uchar' && meta.depth !== 'char') notes.push(`${meta.depth} samples scaled to 8-bit`);
  if ((meta.pages ?? 1) > 1) notes.push(`first of ${meta.pages} frames`);
  if (meta.hasAlpha) notes.push('alpha dropped');
  return notes;
}

/**
 * Decodes any file sharp reads (PNG, JPEG, WebP, GIF's first frame, TIFF, ...), applies its EXIF
 * orientation, crops/fits/fills it to the model's input with core's resize geometry (the demo uses
 * the same rectangles on a canvas), converts to the model's channel count (grey <-> RGB, alpha
 * dropped) and scales to [0, 1].
 * @throws {ImageDecodeError} for an empty, corrupt, unreadable or too large file.
 */
export async function decodeImage(file: string, size: InputSize, mode: ResizeMode, maxPixels: number): Promise<DecodedImage> {
  let bytes: number;
  try {
    bytes = statSync(file).size;
  } catch (error) {
    throw new ImageDecodeError(`cannot read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  if (bytes === 0) throw new ImageDecodeError('empty file (0 bytes)');
  const options: SharpOptions = { limitInputPixels: false, failOn: 'error', pages: 1 };
  let meta: Metadata;
  try {
    meta = await sharp(file, options).metadata();
  } catch (error) {
    throw new ImageDecodeError(`not a readable image: ${(error as Error).message}`);
  }
  const width = meta.autoOrient?.width ?? meta.width;
  const height = meta.autoOrient?.height ?? meta.height;
  if (!width || !height) throw new ImageDecodeError(`no image size in the ${meta.format ?? 'unknown'} header`);
  if (width * height > maxPixels) {
    throw new ImageDecodeError(`${width}x${height} = ${width * height} pixels is more than --max-pixels ${maxPixels}`);
  }
  const { source, target } = resizeGeometry({ width, height }, size, mode);
  let pipeline = sharp(file, options)
    .rotate()
    .extract({ left: source.x, top: source.y, width: source.width, height: source.height })
    .resize(target.width, target.height, { fit: 'fill' })
    .removeAlpha();
  if (target.width !== size.width || target.height !== size.height) {
    pipeline = pipeline.extend({
      left: target.x,
      top: target.y,
      right: size.width - target.x - target.width,
      bottom: size.height - target.y - target.height,
      background: { r: 0, g: 0, b: 0 },
    });
  }
  const deep = isDeep(meta);
  if (size.channels === 1) pipeline = deep ? pipeline.greyscale().toColourspace('grey16') : pipeline.greyscale();
  else pipeline = pipeline.toColourspace(deep ? 'rgb16' : 'srgb');
  let raw: { data: Buffer; info: OutputInfo };
  try {
    raw = await pipeline.raw({ depth: deep ? 'ushort' : 'uchar' }).toBuffer({ resolveWithObject: true });
  } catch (error) {
    throw new ImageDecodeError(`cannot decode: ${(error as Error).message}`);
  }
  const samples = deep ? new Uint16Array(new Uint8Array(raw.data).buffer) : raw.data; // copied: 2-byte aligned
  return {
    pixels: toChannels(samples, raw.info.channels, size, deep ? 65535 : 255),
    ...size,
    source: { width, height, format: meta.format ?? 'unknown', notes: describe(meta) },
  };
}

/** Samples (0..`max`) with `from` channels per pixel -> floats in [0, 1] with the model's channel count. */
function toChannels(data: Uint8Array | Uint16Array, from: number, size: InputSize, max: number): Float32Array<ArrayBuffer> {
  const pixels = size.width * size.height;
  const out = new Float32Array(pixels * size.channels);
  for (let p = 0; p < pixels; p++) {
    for (let c = 0; c < size.channels; c++) {
      // grey -> RGB repeats the grey sample; RGB -> grey never reaches here (sharp made it grey).
      out[p * size.channels + c] = data[p * from + Math.min(c, from - 1)]! / max;
    }
  }
  return out;
}
