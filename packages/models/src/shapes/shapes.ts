// SPDX-License-Identifier: Apache-2.0
import { InvalidOptionError, uniformRef } from '@webxai/shaders';
import { drawShape, type ShapeBox } from './draw.js';
import { paintBackground, TEXTURE_AMPLITUDE } from './texture.js';

/** Side of every shapes image, in pixels. */
export const SHAPES_SIZE = 64;

/** Class names of the shapes data set and of the shapes CNN, in label order. */
export const SHAPES_LABELS = ['circle', 'square', 'triangle', 'cross'] as const;

/** One of {@link SHAPES_LABELS}. */
export type ShapeName = (typeof SHAPES_LABELS)[number];

/** Smallest and largest side of an object's bounding box, in pixels (inclusive). */
export const SHAPES_EXTENT_RANGE: readonly [number, number] = [14, 36];

/**
 * Every channel of the object's colour differs from the background's base colour by at least this,
 * so the object stands out however the texture and grain fall (TEXTURE + 2 GRAIN < this).
 */
export const SHAPES_COLOUR_GAP = 0.35;

/** Amplitude of the per-pixel grain added to object and background alike. */
export const SHAPES_GRAIN = 0.03;

/**
 * Random values of the seed's stream reserved for one image: image i reads values
 * [i * PER_IMAGE, (i + 1) * PER_IMAGE), so any image can be made alone, in any order or split.
 */
const PER_IMAGE = 2 ** 13;
/** Images per seed: the stream has 2^32 values. */
export const SHAPES_MAX_IMAGES = 2 ** 32 / PER_IMAGE;

// Where each parameter sits in an image's slice of the stream.
const AT_BLOCK_ORDER = 0; // 3 values, read from the first image of each block of 4
const AT_BOX = 3; // extent, left, top
const AT_BACKGROUND = 6; // 3 base channels
const AT_COLOUR = 9; // 3 object channels
const AT_TEXTURE = 16; // the texture's own values (see texture.ts)
const AT_GRAIN = 4096; // one grain value per pixel
const CLASSES = SHAPES_LABELS.length;

/** One generated image with its ground truth. */
export interface ShapesSample {
  /** [64, 64, 3] RGB in [0, 1], row-major, channels last (as tfjs's NHWC). */
  readonly image: Float32Array<ArrayBuffer>;
  /** [64, 64], 1 where the object is and 0 elsewhere: exactly the pixels painted in the object's colour. */
  readonly mask: Uint8Array<ArrayBuffer>;
  /** Index into {@link SHAPES_LABELS}. */
  readonly label: number;
  /** The object's bounding box: the shape spans it (a triangle's apex row may fall between pixel centres). */
  readonly box: ShapeBox;
  /** The object's RGB colour before grain. */
  readonly colour: readonly [number, number, number];
}

function checkSeed(seed: number): void {
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new InvalidOptionError(`shapes: seed must be an integer in [0, 2^53), got ${seed}`);
  }
}

function checkRange(first: number, count: number): void {
  if (!Number.isInteger(first) || first < 0 || !Number.isInteger(count) || count < 1 || first + count > SHAPES_MAX_IMAGES) {
    throw new InvalidOptionError(
      `shapes: images must be integers with first >= 0, count >= 1 and first + count <= ${SHAPES_MAX_IMAGES}, got first ${first}, count ${count}`,
    );
  }
}

/**
 * The label of image `index`: each block of 4 consecutive images holds every class once, in an order
 * shuffled (Fisher-Yates) by the block's first image, so any 4k consecutive images are exactly balanced.
 */
function labelOf(seed: number, index: number): number {
  const block = index - (index % CLASSES);
  const u = uniformRef(seed, block * PER_IMAGE + AT_BLOCK_ORDER, CLASSES - 1);
  const order = [0, 1, 2, 3];
  for (let i = CLASSES - 1; i > 0; i--) {
    const j = Math.min(i, Math.floor(u[CLASSES - 1 - i]! * (i + 1)));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order[index % CLASSES]!;
}

/** An integer in [lo, hi] from a uniform in [0, 1). */
function intIn(u: number, lo: number, hi: number): number {
  return lo + Math.min(hi - lo, Math.floor(u * (hi - lo + 1)));
}

/** A random colour whose every channel is at least SHAPES_COLOUR_GAP from `base`'s, on its far side. */
function contrastingColour(base: Float32Array, u: Float32Array): [number, number, number] {
  const channel = (c: number) => {
    const b = base[c]!;
    return b < 0.5 ? b + SHAPES_COLOUR_GAP + u[c]! * (1 - b - SHAPES_COLOUR_GAP) : u[c]! * (b - SHAPES_COLOUR_GAP);
  };
  return [channel(0), channel(1), channel(2)];
}

/**
 * Image `index` of the shapes data set `seed`: one object (circle, square, triangle or cross) of
 * random size, position and colour on a textured background (value noise + stripes of a random base
 * colour), with per-pixel grain. Deterministic: the same (seed, index) gives the same bytes in Node
 * and in browsers (Threefry stream of @webxai/shaders, plain arithmetic, no platform APIs).
 *
 * @example
 * const s = shapesSample(7, 0);
 * SHAPES_LABELS[s.label]; // e.g. 'triangle'
 * s.image.length;         // 12288 (64 x 64 x 3)
 */
export function shapesSample(seed: number, index: number): ShapesSample {
  checkSeed(seed);
  checkRange(index, 1);
  const base = index * PER_IMAGE;
  const label = labelOf(seed, index);
  const [e, l, t] = uniformRef(seed, base + AT_BOX, 3);
  const [minExtent, maxExtent] = SHAPES_EXTENT_RANGE;
  const extent = intIn(e!, minExtent, maxExtent);
  const box: ShapeBox = { extent, left: intIn(l!, 0, SHAPES_SIZE - extent), top: intIn(t!, 0, SHAPES_SIZE - extent) };
  // Base channels in [0.15, 0.85]: with the texture added they stay inside [0, 1], and a colour
  // SHAPES_COLOUR_GAP away always exists on one side.
  const background = uniformRef(seed, base + AT_BACKGROUND, 3, 0.15, 0.85);
  const colour = contrastingColour(background, uniformRef(seed, base + AT_COLOUR, 3));
  const image = new Float32Array(SHAPES_SIZE * SHAPES_SIZE * 3);
  paintBackground(image, SHAPES_SIZE, background, (offset, count) => uniformRef(seed, base + AT_TEXTURE + offset, count));
  const mask = drawShape(image, SHAPES_SIZE, SHAPES_LABELS[label]!, box, colour);
  const grain = uniformRef(seed, base + AT_GRAIN, SHAPES_SIZE * SHAPES_SIZE);
  for (let p = 0; p < grain.length; p++) {
    const g = SHAPES_GRAIN * (2 * grain[p]! - 1);
    for (let c = 0; c < 3; c++) image[p * 3 + c] = Math.min(1, Math.max(0, image[p * 3 + c]! + g));
  }
  return { image, mask, label, box, colour };
}

/** Many shapes images packed for a batch: images [n, 64, 64, 3], masks [n, 64, 64], labels [n]. */
export interface ShapesSet {
  readonly images: Float32Array<ArrayBuffer>;
  readonly masks: Uint8Array<ArrayBuffer>;
  readonly labels: number[];
}

/**
 * Images `first .. first + count - 1` of the shapes data set `seed`, packed (see {@link shapesSample}).
 * Disjoint index ranges of one seed, or different seeds, give independent splits.
 *
 * @example
 * const train = shapesSet(1, 4000);        // images 0..3999 of seed 1: 1000 per class
 * const test = shapesSet(1, 400, 4000);    // the next 400, never seen in training
 */
export function shapesSet(seed: number, count: number, first = 0): ShapesSet {
  checkSeed(seed);
  checkRange(first, count);
  const pixels = SHAPES_SIZE * SHAPES_SIZE;
  const images = new Float32Array(count * pixels * 3);
  const masks = new Uint8Array(count * pixels);
  const labels: number[] = [];
  for (let i = 0; i < count; i++) {
    const s = shapesSample(seed, first + i);
    images.set(s.image, i * pixels * 3);
    masks.set(s.mask, i * pixels);
    labels.push(s.label);
  }
  return { images, masks, labels };
}

/** Largest deviation the texture and grain add to the background's base colour (for tests and docs). */
export const SHAPES_BACKGROUND_SPREAD = TEXTURE_AMPLITUDE + SHAPES_GRAIN;
