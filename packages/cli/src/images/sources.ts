// SPDX-License-Identifier: Apache-2.0
import { basename, extname } from 'node:path';
import type { ResizeMode } from '@webxai/core/io';
import { mnistSamples } from '@webxai/models';
import { UsageError } from '../errors.js';
import { fnv1a } from '../run/shard.js';
import { collectImages, displayPath } from './collect.js';
import { decodeImage, ImageDecodeError, type DecodedImage, type InputSize } from './decode.js';

/** One input image: a stable id (its output folder), its display path, and how to decode it. */
export interface ImageSource {
  readonly id: string;
  readonly file: string;
  decode(size: InputSize, mode: ResizeMode, maxPixels: number): Promise<DecodedImage>;
}

/** `chelsea-1a2b3c4d`: the file's name (safe characters only) and a hash of its path, unique per path. */
export function imageId(file: string): string {
  const stem =
    basename(file, extname(file))
      .replace(/[^A-Za-z0-9._-]+/g, '_')
      .slice(0, 48) || 'image';
  return `${stem}-${fnv1a(file).toString(16).padStart(8, '0')}`;
}

const MNIST_DIGITS = 10;

/** builtin:mnist: the first held-out digit of each class, embedded in @webxai/models. */
async function mnistSources(): Promise<ImageSource[]> {
  const { images, labels } = mnistSamples();
  const data = (await images.data()) as Float32Array;
  images.dispose();
  const picks = Array.from({ length: MNIST_DIGITS }, (_, digit) => labels.indexOf(digit)).filter((i) => i >= 0);
  return picks.map((index) => {
    const file = `builtin:mnist/${index.toString().padStart(2, '0')}-digit-${labels[index]}`;
    return {
      id: `mnist-${index.toString().padStart(2, '0')}-digit-${labels[index]}`,
      file,
      // eslint-disable-next-line @typescript-eslint/require-await -- async so the size check rejects, as a real decode's errors do
      async decode(size) {
        if (size.width !== 28 || size.height !== 28 || size.channels !== 1) {
          throw new ImageDecodeError(
            `the builtin MNIST digits are 28x28x1; this model wants ${size.width}x${size.height}x${size.channels}`,
          );
        }
        return {
          pixels: data.slice(index * 784, (index + 1) * 784),
          width: 28,
          height: 28,
          channels: 1,
          source: { width: 28, height: 28, format: 'builtin', notes: [] },
        };
      },
    };
  });
}

/** The images `--images` names, sorted by path (builtin:mnist for the embedded digits). */
export async function imageSources(inputs: readonly string[]): Promise<ImageSource[]> {
  if (inputs.some((i) => i.startsWith('builtin:'))) {
    if (inputs.length !== 1 || inputs[0] !== 'builtin:mnist')
      throw new UsageError(`--images: the only builtin image set is builtin:mnist, alone; got ${inputs.join(', ')}`);
    return mnistSources();
  }
  return collectImages(inputs).map((path) => {
    const file = displayPath(path);
    return { id: imageId(file), file, decode: (size, mode, maxPixels) => decodeImage(path, size, mode, maxPixels) };
  });
}
