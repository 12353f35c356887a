// SPDX-License-Identifier: Apache-2.0
import { InvalidOptionError, invariant } from '@webxai/shaders';
import { fillImage } from '../../perturbation/shared/features.js';

/** What a removed pixel shows: zeros, the image's per-channel mean, a box-blurred copy, or a constant. */
export type MetricFill = 'zero' | 'mean' | 'blur' | number;

/** Checks the fill option. */
export function checkMetricFill(metric: string, fill: unknown): void {
  if (fill === undefined || fill === 'zero' || fill === 'mean' || fill === 'blur') return;
  if (typeof fill === 'number' && Number.isFinite(fill)) return;
  throw new InvalidOptionError(`${metric}: fill must be 'zero', 'mean', 'blur' or a finite number, got ${JSON.stringify(fill)}`);
}

/** Whether the fill is one value everywhere ('zero' or a number), which needs none of the image's values. */
export function isConstantFill(fill: MetricFill): fill is 'zero' | number {
  return fill === 'zero' || typeof fill === 'number';
}

/**
 * The fill image (HWC) of one image: 'mean' is the per-channel mean over the whole image, 'blur' a
 * box blur of min(h, w) / 8 pixels (cv2.blur, reflect-101 borders), as the perturbation methods' fill.
 * `values` (the image's) may be left out for a constant fill.
 */
export function metricFillImage(
  fill: MetricFill,
  values: Float32Array | undefined,
  height: number,
  width: number,
  channels: number,
): Float32Array<ArrayBuffer> {
  if (isConstantFill(fill)) return new Float32Array(height * width * channels).fill(fill === 'zero' ? 0 : fill);
  invariant(values !== undefined, `a '${fill}' fill is made from the image's values`);
  const oneSegment = { labels: new Int32Array(height * width), count: 1 };
  return fillImage(fill, values, oneSegment, height, width, channels);
}
