// SPDX-License-Identifier: Apache-2.0
import * as tf from '@tensorflow/tfjs';
import { InvalidOptionError } from '@webxai/shaders';

/**
 * How a model wants its pixels, starting from RGB(A) in [0, 1]:
 * - `unit`: [0, 1] as is (a plain tfjs model.json, e.g. nsfwjs);
 * - `signed`: [-1, 1] (Teachable Machine, Keras MobileNet's `preprocess_input`);
 * - `imagenet`: per channel (x - mean) / std with torchvision's ImageNet mean and std;
 * - `raw`: 0..255 (models with their own rescaling layer).
 */
export type PreprocessPreset = 'unit' | 'signed' | 'imagenet' | 'raw';

/** Every preset, for option parsing and menus. */
export const PREPROCESS_PRESETS: readonly PreprocessPreset[] = ['unit', 'signed', 'imagenet', 'raw'];

/** One-line descriptions of each preset, for help texts and menus. */
export const PREPROCESS_DESCRIPTIONS: Readonly<Record<PreprocessPreset, string>> = {
  unit: '[0, 1]',
  signed: '[-1, 1] (Teachable Machine, Keras MobileNet)',
  imagenet: 'ImageNet mean/std per channel',
  raw: '0..255',
};

const IMAGENET_MEAN = [0.485, 0.456, 0.406];
const IMAGENET_STD = [0.229, 0.224, 0.225];

/** Per-channel `model = pixel * scale + offset` for a pixel in [0, 1]. */
export interface ChannelAffine {
  readonly scale: readonly number[];
  readonly offset: readonly number[];
}

/**
 * The affine map of a preset for `channels` channels (1 = grey, 3 = RGB).
 * @throws {InvalidOptionError} for an unknown preset, or `imagenet` on a model that is not RGB.
 * @example
 * presetAffine('signed', 3); // { scale: [2, 2, 2], offset: [-1, -1, -1] }
 */
export function presetAffine(preset: PreprocessPreset, channels: number): ChannelAffine {
  const same = (scale: number, offset: number): ChannelAffine => ({
    scale: Array(channels).fill(scale),
    offset: Array(channels).fill(offset),
  });
  switch (preset) {
    case 'unit':
      return same(1, 0);
    case 'signed':
      return same(2, -1);
    case 'raw':
      return same(255, 0);
    case 'imagenet':
      if (channels !== 3)
        throw new InvalidOptionError(
          `preprocess 'imagenet' needs an RGB model (3 channels); this one has ${channels}: use unit, signed or raw`,
        );
      return { scale: IMAGENET_STD.map((s) => 1 / s), offset: IMAGENET_MEAN.map((m, i) => -m / IMAGENET_STD[i]!) };
    default:
      throw new InvalidOptionError(`unknown preprocess preset '${String(preset)}'; valid: ${PREPROCESS_PRESETS.join(', ')}`);
  }
}

/** True when the string names a preset. */
export function isPreprocessPreset(name: string): name is PreprocessPreset {
  return (PREPROCESS_PRESETS as readonly string[]).includes(name);
}

/**
 * The preset as explain()'s `preprocess` option: images stay in [0, 1] (so attributions are per
 * displayed pixel and perturbation baselines are black), the model sees its own range.
 * Returns `undefined` for `unit` (nothing to do).
 * @example
 * const preprocess = preprocessFunction('signed', 3);
 * await explain(model, image01, { method: 'grad-cam', ...(preprocess ? { preprocess } : {}) });
 */
export function preprocessFunction(preset: PreprocessPreset, channels: number): ((x: tf.Tensor4D) => tf.Tensor4D) | undefined {
  const { scale, offset } = presetAffine(preset, channels);
  if (scale.every((s) => s === 1) && offset.every((o) => o === 0)) return undefined;
  return (x) => tf.tidy(() => tf.add(tf.mul(x, tf.tensor1d(scale as number[])), tf.tensor1d(offset as number[])));
}
