// SPDX-License-Identifier: Apache-2.0
import { InvalidInputError, ShapeMismatchError, throwIfAborted } from '@webxai/shaders';

/** The part of a tf.Tensor the components use (duck-typed: @webxai/ui does not import tfjs for it). */
export interface TensorLike {
  readonly shape: readonly number[];
  data(): Promise<ArrayLike<number>>;
}

/** A dense array with its shape, e.g. `{ data: Float32Array, shape: [224, 224] }`. */
export interface ShapedArray {
  readonly data: ArrayLike<number>;
  readonly shape: readonly number[];
}

/**
 * An attribution map that already lives in a GPU buffer: `buffer` holds H x W f32 values, row-major,
 * on the GPUDevice given to `<xai-heatmap>` as `device`. Shape [H, W] (or [1, H, W, 1]: one channel).
 */
export interface GpuAttribution {
  readonly buffer: GPUBuffer;
  readonly shape: readonly number[];
}

/**
 * What `<xai-heatmap>` accepts as an attribution: a tensor ([H, W], [H, W, C] or [1, H, W, C]), a
 * {@link ShapedArray}, a {@link GpuAttribution}, or an object with an `attribution` field holding a
 * tensor or a ShapedArray (the result of `explain()` from @webxai/core).
 */
export type AttributionInput = TensorLike | ShapedArray | GpuAttribution | { readonly attribution: TensorLike | ShapedArray };

/** What `<xai-heatmap>` accepts as an image: a URL, decoded pixels, or a tensor ([H, W, C] / [1, H, W, C], C = 1, 3 or 4). */
export type ImageInput = string | URL | ImageBitmap | ImageData | HTMLImageElement | HTMLCanvasElement | TensorLike | ShapedArray;

/**
 * How [H, W, C] attributions become one value per pixel: `sum` adds the channels keeping the sign
 * (Captum's visualize_image_attr), `mean-abs` averages |value| over channels (unsigned).
 */
export type ChannelReduce = 'sum' | 'mean-abs';

/** One value per pixel, row-major. */
export interface AttributionMap {
  readonly width: number;
  readonly height: number;
  readonly values: Float32Array<ArrayBuffer>;
}

/** Packed RGBA8 pixels (pack4x8unorm layout: the bytes of an ImageData viewed as u32, little-endian). */
export interface ImagePixels {
  readonly width: number;
  readonly height: number;
  readonly pixels: Uint32Array<ArrayBuffer>;
}

function isTensorLike(x: unknown): x is TensorLike {
  return typeof x === 'object' && x !== null && typeof (x as TensorLike).data === 'function' && Array.isArray((x as TensorLike).shape);
}

function isShapedArray(x: unknown): x is ShapedArray {
  const s = x as ShapedArray;
  return (
    typeof x === 'object' &&
    x !== null &&
    Array.isArray(s.shape) &&
    typeof s.data === 'object' &&
    s.data !== null &&
    typeof s.data.length === 'number'
  );
}

async function readShaped(x: TensorLike | ShapedArray, what: string): Promise<{ data: ArrayLike<number>; shape: readonly number[] }> {
  if (isTensorLike(x)) {
    try {
      return { data: await x.data(), shape: x.shape };
    } catch (cause) {
      throw new InvalidInputError(`${what}: reading the tensor failed (was it disposed?): ${String(cause)}`, { cause });
    }
  }
  return x;
}

/** Normalises [H, W] | [H, W, C] | [1, H, W] | [1, H, W, C] to [H, W, C]. */
export function hwc(shape: readonly number[], what: string): [number, number, number] {
  const dims = shape.length === 4 || (shape.length === 3 && shape[0] === 1 && shape[2]! > 4) ? shape.slice(1) : shape;
  if (shape.length === 4 && shape[0] !== 1) {
    throw new ShapeMismatchError(`${what} must hold one image (batch 1), got shape [${shape.join(', ')}]`);
  }
  const [h, w, c = 1] = dims;
  if (dims.length < 2 || dims.length > 3 || !(h! >= 1) || !(w! >= 1) || !(c >= 1) || ![h, w, c].every(Number.isInteger)) {
    throw new ShapeMismatchError(`${what} must have shape [H, W], [H, W, C] or [1, H, W, C], got [${shape.join(', ')}]`);
  }
  return [h!, w!, c];
}

/**
 * Converts any {@link AttributionInput} to one finite value per pixel.
 *
 * @throws {ShapeMismatchError} the shape is not an image's, or data and shape disagree.
 * @throws {InvalidInputError} NaN or Inf values (the message says how many and where).
 * @example
 * await toAttributionMap({ data: new Float32Array([1, -2, 3, 4]), shape: [2, 2] });
 * // { width: 2, height: 2, values: Float32Array [1, -2, 3, 4] }
 */
export async function toAttributionMap(input: AttributionInput, reduce: ChannelReduce = 'sum'): Promise<AttributionMap> {
  const source = typeof input === 'object' && input !== null && 'attribution' in input ? input.attribution : input;
  if (!isTensorLike(source) && !isShapedArray(source)) {
    const gpu = typeof GPUBuffer !== 'undefined' && (source as Partial<GpuAttribution>).buffer instanceof GPUBuffer;
    throw new InvalidInputError(
      gpu
        ? 'a {buffer, shape} attribution is drawn by the WebGPU path only: set device to the GPUDevice that owns the buffer, and renderer to auto or webgpu'
        : 'attribution must be a tf.Tensor, {data, shape}, {buffer, shape} or an explain() result with .attribution',
    );
  }
  const { data, shape } = await readShaped(source, 'attribution');
  const [height, width, channels] = hwc(shape, 'attribution');
  if (data.length !== height * width * channels) {
    throw new ShapeMismatchError(
      `attribution data has ${data.length} values but shape [${shape.join(', ')}] needs ${height * width * channels}`,
    );
  }
  const values = new Float32Array(height * width);
  let bad = 0;
  let firstBad = -1;
  for (let p = 0; p < height * width; p++) {
    let acc = 0;
    for (let c = 0; c < channels; c++) {
      const v = data[p * channels + c]!;
      if (!Number.isFinite(v)) {
        bad++;
        if (firstBad < 0) firstBad = p;
      }
      acc += reduce === 'mean-abs' ? Math.abs(v) : v;
    }
    values[p] = reduce === 'mean-abs' ? acc / channels : acc;
  }
  if (bad > 0) throw nonFiniteError(bad, firstBad, width);
  return { width, height, values };
}

/**
 * The error for an attribution holding NaN or Inf (`first`: index of the first such pixel), from the
 * CPU check above or from the GPU reduction of the no-readback path: the same message either way.
 */
export function nonFiniteError(count: number, first: number, width: number): InvalidInputError {
  return new InvalidInputError(
    `attribution contains ${count} NaN or infinite value${count > 1 ? 's' : ''} (first at x=${first % width}, y=${Math.floor(first / width)})`,
  );
}

function fromImageData(data: ImageData): ImagePixels {
  const bytes = data.data;
  return {
    width: data.width,
    height: data.height,
    pixels: new Uint32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)),
  };
}

function rasterise(source: CanvasImageSource, width: number, height: number): ImagePixels {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  ctx.drawImage(source, 0, 0);
  return fromImageData(ctx.getImageData(0, 0, width, height));
}

async function loadUrl(url: string, signal?: AbortSignal): Promise<ImageBitmap> {
  let response: Response;
  try {
    response = await fetch(url, signal ? { signal } : {});
  } catch (cause) {
    throwIfAborted(signal, 'image load');
    throw new InvalidInputError(`could not load image "${url}": ${String(cause)}`, { cause });
  }
  if (!response.ok) throw new InvalidInputError(`could not load image "${url}": HTTP ${response.status}`);
  try {
    return await createImageBitmap(await response.blob());
  } catch (cause) {
    throw new InvalidInputError(`"${url}" is not a decodable image: ${String(cause)}`, { cause });
  }
}

/**
 * Converts any {@link ImageInput} to packed RGBA8 pixels at its natural size. Tensors with values
 * <= 1 are read as [0, 1], otherwise as [0, 255].
 *
 * @throws {InvalidInputError} the URL cannot be fetched or decoded.
 * @throws {ShapeMismatchError} a tensor that is not [H, W, C] with C = 1, 3 or 4.
 */
export async function toImagePixels(input: ImageInput, signal?: AbortSignal): Promise<ImagePixels> {
  if (typeof input === 'string' || input instanceof URL) {
    const bitmap = await loadUrl(String(input), signal);
    try {
      return rasterise(bitmap, bitmap.width, bitmap.height);
    } finally {
      bitmap.close();
    }
  }
  if (typeof ImageData !== 'undefined' && input instanceof ImageData) return fromImageData(input);
  if (typeof ImageBitmap !== 'undefined' && input instanceof ImageBitmap) return rasterise(input, input.width, input.height);
  if (typeof HTMLImageElement !== 'undefined' && input instanceof HTMLImageElement) {
    await input.decode();
    return rasterise(input, input.naturalWidth, input.naturalHeight);
  }
  if (typeof HTMLCanvasElement !== 'undefined' && input instanceof HTMLCanvasElement) return rasterise(input, input.width, input.height);
  if (isTensorLike(input) || isShapedArray(input)) {
    const { data, shape } = await readShaped(input, 'image');
    const [height, width, channels] = hwc(shape, 'image');
    if (![1, 3, 4].includes(channels) || data.length !== height * width * channels) {
      throw new ShapeMismatchError(
        `image tensor must be [H, W, 1|3|4] with matching data, got shape [${shape.join(', ')}] and ${data.length} values`,
      );
    }
    let max = 0;
    for (let i = 0; i < data.length; i++) max = Math.max(max, data[i]!);
    const scale = max <= 1 ? 255 : 1;
    const bytes = new Uint8ClampedArray(height * width * 4);
    for (let p = 0; p < height * width; p++) {
      for (let c = 0; c < 3; c++) bytes[4 * p + c] = Math.round(data[p * channels + (channels === 1 ? 0 : c)]! * scale);
      bytes[4 * p + 3] = channels === 4 ? Math.round(data[p * 4 + 3]! * scale) : 255;
    }
    return { width, height, pixels: new Uint32Array(bytes.buffer) };
  }
  throw new InvalidInputError('image must be a URL, ImageBitmap, ImageData, <img>, <canvas> or an [H, W, C] tensor');
}
