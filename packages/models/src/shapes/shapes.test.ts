// SPDX-License-Identifier: Apache-2.0
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { XaiError } from '@webxai/shaders';
import {
  SHAPES_BACKGROUND_SPREAD,
  SHAPES_COLOUR_GAP,
  SHAPES_EXTENT_RANGE,
  SHAPES_GRAIN,
  SHAPES_LABELS,
  SHAPES_SIZE,
  shapesBatch,
  shapesSample,
  shapesSet,
} from './index.js';

const PIXELS = SHAPES_SIZE * SHAPES_SIZE;
/** Fraction of its box each shape covers: pi/4, 1, 1/2, and two arms of 1/3 minus their overlap. */
const AREA_FRACTION = [Math.PI / 4, 1, 1 / 2, 2 / 3 - 1 / 9];

function maskBounds(mask: Uint8Array) {
  let [top, left, bottom, right] = [SHAPES_SIZE, SHAPES_SIZE, -1, -1];
  for (let p = 0; p < PIXELS; p++) {
    if (!mask[p]) continue;
    const [y, x] = [Math.floor(p / SHAPES_SIZE), p % SHAPES_SIZE];
    [top, left, bottom, right] = [Math.min(top, y), Math.min(left, x), Math.max(bottom, y), Math.max(right, x)];
  }
  return { top, left, height: bottom - top + 1, width: right - left + 1 };
}

describe('shapes data set', () => {
  it('is deterministic: the same seed and index give the same bytes, whatever the split', () => {
    const a = shapesSample(11, 5);
    const b = shapesSample(11, 5);
    expect(b.image).toEqual(a.image);
    expect(b.mask).toEqual(a.mask);
    expect(b.label).toBe(a.label);
    // Image 5 made inside a set starting at 3 is the same image.
    const set = shapesSet(11, 4, 3);
    expect(set.images.subarray(2 * PIXELS * 3, 3 * PIXELS * 3)).toEqual(a.image);
    expect(set.masks.subarray(2 * PIXELS, 3 * PIXELS)).toEqual(a.mask);
    expect(set.labels[2]).toBe(a.label);
    // Another seed, or another index, is another image.
    expect(shapesSample(12, 5).image).not.toEqual(a.image);
    expect(shapesSample(11, 6).image).not.toEqual(a.image);
  });

  it('still makes the images the shipped shapes CNN was trained on (change the generator, retrain it)', () => {
    // FNV-1a over the f32 bits of a few images: a recorded fingerprint, not a correctness oracle.
    // The generator uses Threefry and + - * / floor only, so it holds on every JavaScript engine.
    let hash = 0x811c9dc5;
    for (const index of [0, 1, 2, 3, 1000]) {
      for (const word of new Uint32Array(shapesSample(1, index).image.buffer)) hash = Math.imul(hash ^ word, 0x01000193) >>> 0;
    }
    expect(hash.toString(16)).toMatchInlineSnapshot(`"2ba934da"`);
  });

  it('masks exactly the pixels of the object: object colour inside, background outside', () => {
    const minGapOutside = SHAPES_COLOUR_GAP - SHAPES_BACKGROUND_SPREAD - SHAPES_GRAIN;
    expect(minGapOutside).toBeGreaterThan(0.15);
    for (let i = 0; i < 40; i++) {
      const { image, mask, colour, box } = shapesSample(3, i);
      let worstInside = 0;
      let closestOutside = Infinity;
      for (let p = 0; p < PIXELS; p++) {
        const distance = Math.max(...[0, 1, 2].map((c) => Math.abs(image[p * 3 + c]! - colour[c]!)));
        if (mask[p]) worstInside = Math.max(worstInside, distance);
        else closestOutside = Math.min(closestOutside, distance);
      }
      expect(worstInside).toBeLessThanOrEqual(SHAPES_GRAIN + 1e-6);
      expect(closestOutside).toBeGreaterThanOrEqual(minGapOutside - 1e-6);
      // The mask lies in the box and covers the shape's share of it.
      const bounds = maskBounds(mask);
      expect(bounds.left).toBeGreaterThanOrEqual(box.left);
      expect(bounds.top).toBeGreaterThanOrEqual(box.top);
      expect(bounds.left + bounds.width).toBeLessThanOrEqual(box.left + box.extent);
      expect(bounds.top + bounds.height).toBeLessThanOrEqual(box.top + box.extent);
      const area = mask.reduce((n, v) => n + v, 0);
      const label = shapesSample(3, i).label;
      expect(Math.abs(area / box.extent ** 2 - AREA_FRACTION[label]!)).toBeLessThan(0.06);
    }
  });

  it('draws each shape with its known landmarks', () => {
    // Pixels of the box: the centre and the bottom middle are on every shape; the top-left corner
    // only on the square; the bottom-right corner on the square and the triangle; the left middle
    // on all but the triangle.
    const seen = new Set<number>();
    for (let i = 0; i < 8; i++) {
      const { mask, box, label } = shapesSample(4, i);
      seen.add(label);
      const at = (u: number, v: number) =>
        mask[(box.top + Math.floor(v * (box.extent - 1))) * SHAPES_SIZE + box.left + Math.floor(u * (box.extent - 1))];
      const name = SHAPES_LABELS[label];
      expect(at(0.5, 0.5), name).toBe(1);
      expect(at(0, 0), name).toBe(name === 'square' ? 1 : 0);
      expect(at(1, 1), name).toBe(name === 'square' || name === 'triangle' ? 1 : 0);
      expect(at(0.5, 1), name).toBe(1); // bottom middle: on every shape
      expect(at(0, 0.5), name).toBe(name === 'triangle' ? 0 : 1); // left middle
    }
    expect(seen.size).toBe(4);
  });

  it('balances the classes: every block of 4 images holds each class once, in a shuffled order', () => {
    const { labels } = shapesSet(5, 400);
    for (let block = 0; block < 100; block++) {
      expect([...labels.slice(4 * block, 4 * block + 4)].sort()).toEqual([0, 1, 2, 3]);
    }
    const orders = new Set(Array.from({ length: 100 }, (_, b) => labels.slice(4 * b, 4 * b + 4).join('')));
    expect(orders.size).toBeGreaterThan(10); // 24 orders exist; not one fixed cycle
    // A set not aligned to blocks is still within one of balanced.
    const counts = [0, 0, 0, 0];
    for (const l of shapesSet(5, 10, 3).labels) counts[l]!++;
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
  });

  it('keeps sizes and positions in range and uses the whole range', () => {
    const [minExtent, maxExtent] = SHAPES_EXTENT_RANGE;
    const extents: number[] = [];
    for (let i = 0; i < 300; i++) {
      const { box, mask } = shapesSample(6, i);
      extents.push(box.extent);
      expect(box.extent).toBeGreaterThanOrEqual(minExtent);
      expect(box.extent).toBeLessThanOrEqual(maxExtent);
      expect(box.left).toBeGreaterThanOrEqual(0);
      expect(box.top).toBeGreaterThanOrEqual(0);
      expect(box.left + box.extent).toBeLessThanOrEqual(SHAPES_SIZE);
      expect(box.top + box.extent).toBeLessThanOrEqual(SHAPES_SIZE);
      // Each shape spans its box (a triangle's apex row may miss every pixel centre).
      const bounds = maskBounds(mask);
      expect(bounds.width).toBe(box.extent);
      expect(bounds.height).toBeGreaterThanOrEqual(box.extent - 1);
    }
    expect(Math.min(...extents)).toBeLessThanOrEqual(minExtent + 1);
    expect(Math.max(...extents)).toBeGreaterThanOrEqual(maxExtent - 1);
  });

  it('paints a textured background, not a flat one, inside [0, 1]', () => {
    const { image, mask } = shapesSample(8, 2);
    const background = [];
    for (let p = 0; p < PIXELS; p++) if (!mask[p]) background.push(image[p * 3]!);
    const mean = background.reduce((a, b) => a + b, 0) / background.length;
    const spread = Math.max(...background.map((v) => Math.abs(v - mean)));
    expect(spread).toBeGreaterThan(0.05);
    expect(spread).toBeLessThanOrEqual(2 * SHAPES_BACKGROUND_SPREAD);
    expect(Math.min(...image)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...image)).toBeLessThanOrEqual(1);
  });

  it('rejects a bad seed, index or count with a typed error naming the argument', () => {
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (error) {
        expect(error).toBeInstanceOf(XaiError);
        return [(error as XaiError).code, (error as Error).message];
      }
      throw new Error('no error thrown');
    };
    expect(code(() => shapesSample(-1, 0))).toEqual(['invalid-option', expect.stringContaining('seed')]);
    expect(code(() => shapesSample(1.5, 0))).toEqual(['invalid-option', expect.stringContaining('seed')]);
    expect(code(() => shapesSample(1, -1))).toEqual(['invalid-option', expect.stringContaining('first')]);
    expect(code(() => shapesSet(1, 0))).toEqual(['invalid-option', expect.stringContaining('count')]);
    expect(code(() => shapesSet(1, 2, 2 ** 19 - 1))).toEqual(['invalid-option', expect.stringContaining('first + count')]);
  });

  it('shapesBatch gives tensors equal to the packed set, and no leaks once disposed', () => {
    const before = tf.memory().numTensors;
    const batch = shapesBatch(2, 6, 10);
    const set = shapesSet(2, 6, 10);
    expect(batch.images.shape).toEqual([6, SHAPES_SIZE, SHAPES_SIZE, 3]);
    expect(batch.masks.shape).toEqual([6, SHAPES_SIZE, SHAPES_SIZE]);
    expect(batch.images.dataSync()).toEqual(set.images);
    expect(Array.from(batch.masks.dataSync())).toEqual(Array.from(set.masks));
    expect(batch.labels).toEqual(set.labels);
    tf.dispose([batch.images, batch.masks]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('uses no Node-only API, so it runs in browsers too', () => {
    const dir = new URL('.', import.meta.url);
    const sources = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
    expect(sources.length).toBeGreaterThanOrEqual(4);
    for (const file of sources) {
      const text = readFileSync(new URL(file, dir), 'utf8');
      expect(text, file).not.toMatch(/from 'node:|require\(|\bBuffer\b|\bprocess\./);
    }
  });
});
