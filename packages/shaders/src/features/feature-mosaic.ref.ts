// SPDX-License-Identifier: Apache-2.0
import { ShapeMismatchError } from '../runtime/errors.js';

/** Shape of a feature-mosaic call: NHWC activations and the tile grid. */
export interface FeatureMosaicShape {
  readonly images: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly rows: number;
  readonly cols: number;
  /** Pixels between tiles. */
  readonly pad: number;
}

/** The mosaic's `[height, width]` for a shape: rows * (h + pad) - pad by cols * (w + pad) - pad. */
export function mosaicSize(shape: Pick<FeatureMosaicShape, 'height' | 'width' | 'rows' | 'cols' | 'pad'>): [number, number] {
  return [shape.rows * (shape.height + shape.pad) - shape.pad, shape.cols * (shape.width + shape.pad) - shape.pad];
}

/**
 * CPU reference for feature-mosaic.wgsl (f64 inside), also the explicit CPU path: slot s of image
 * n shows channel `order[n * channels + s]`, min-max normalised over its h x w values (a constant
 * channel shows 0); gaps and slots past the last channel are `background`.
 */
export function featureMosaicRef(
  act: ArrayLike<number>,
  order: ArrayLike<number>,
  shape: FeatureMosaicShape,
  background: number,
): Float32Array<ArrayBuffer> {
  const { images, height: h, width: w, channels: K, rows, cols } = shape;
  if (act.length < images * h * w * K || order.length < images * K || rows * cols < K) {
    throw new ShapeMismatchError(
      `featureMosaicRef: act has ${act.length} values (need ${images * h * w * K}), order ${order.length} (need ${images * K}), grid ${rows}x${cols} < ${K} channels`,
    );
  }
  const [outH, outW] = mosaicSize(shape);
  const out = new Float32Array(images * outH * outW).fill(background);
  for (let n = 0; n < images; n++) {
    for (let slot = 0; slot < K; slot++) {
      const c = order[n * K + slot]!;
      const at = (y: number, x: number) => act[((n * h + y) * w + x) * K + c]!;
      let lo = Infinity;
      let hi = -Infinity;
      for (let p = 0; p < h * w; p++) {
        lo = Math.min(lo, at(Math.floor(p / w), p % w));
        hi = Math.max(hi, at(Math.floor(p / w), p % w));
      }
      const top = Math.floor(slot / cols) * (h + shape.pad);
      const left = (slot % cols) * (w + shape.pad);
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) out[(n * outH + top + y) * outW + left + x] = hi > lo ? (at(y, x) - lo) / (hi - lo) : 0;
      }
    }
  }
  return out;
}
