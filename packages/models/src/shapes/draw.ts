// SPDX-License-Identifier: Apache-2.0
/** Where an object sits: its square bounding box, in whole pixels. */
export interface ShapeBox {
  /** Side of the box. */
  readonly extent: number;
  /** Column of the box's first pixel. */
  readonly left: number;
  /** Row of the box's first pixel. */
  readonly top: number;
}

/** Half the width of a cross's arms, as a fraction of its box (arms one third of the box wide). */
const CROSS_HALF_ARM = 1 / 6;

/**
 * Whether the point (u, v) of the unit box (u rightwards, v downwards, both in [0, 1]) is inside the
 * shape. Each shape spans the whole box: a circle of diameter 1, a full square, an upward triangle
 * (apex at the top middle, base along the bottom), a plus-shaped cross.
 */
export function insideShape(shape: 'circle' | 'square' | 'triangle' | 'cross', u: number, v: number): boolean {
  switch (shape) {
    case 'circle':
      return (u - 0.5) ** 2 + (v - 0.5) ** 2 <= 0.25;
    case 'square':
      return true;
    case 'triangle':
      return Math.abs(u - 0.5) <= v / 2;
    case 'cross':
      return Math.abs(u - 0.5) <= CROSS_HALF_ARM || Math.abs(v - 0.5) <= CROSS_HALF_ARM;
  }
}

/**
 * Paints `shape` in `colour` into the [size, size, 3] `image` and returns its [size, size] mask.
 * A pixel belongs to the object when its centre is inside the shape (no anti-aliasing), so the mask
 * is exactly the set of pixels painted.
 */
export function drawShape(
  image: Float32Array,
  size: number,
  shape: 'circle' | 'square' | 'triangle' | 'cross',
  box: ShapeBox,
  colour: readonly [number, number, number],
): Uint8Array<ArrayBuffer> {
  const mask = new Uint8Array(size * size);
  for (let y = box.top; y < box.top + box.extent; y++) {
    for (let x = box.left; x < box.left + box.extent; x++) {
      if (!insideShape(shape, (x - box.left + 0.5) / box.extent, (y - box.top + 0.5) / box.extent)) continue;
      const p = y * size + x;
      mask[p] = 1;
      image.set(colour, p * 3);
    }
  }
  return mask;
}
