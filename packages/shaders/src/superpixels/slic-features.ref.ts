// SPDX-License-Identifier: Apache-2.0

const linearize = (c: number) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
const labF = (t: number) => (t > 0.008856 ? Math.cbrt(t) : 7.787 * t + 16 / 116);
const quantize = (v: number, offset: number) => Math.min(511, Math.max(0, Math.round(2 * v) + offset));
const unit = (v: number, low: number, scale: number) => Math.min(1, Math.max(0, (v - low) * scale));

/**
 * CPU reference for slic-features.wgsl (f64) and the explicit CPU path: quantized CIELAB
 * features [pixels * 3] (round(2L), round(2a) + 256, round(2b) + 256) of an HWC image.
 */
export function slicFeaturesRef(
  image: ArrayLike<number>,
  pixels: number,
  channels: number,
  low: number,
  scale: number,
): Uint32Array<ArrayBuffer> {
  const out = new Uint32Array(pixels * 3);
  for (let p = 0; p < pixels; p++) {
    const base = p * channels;
    if (channels < 3) {
      out[p * 3] = quantize(116 * labF(linearize(unit(image[base]!, low, scale))) - 16, 0);
      out[p * 3 + 1] = 256;
      out[p * 3 + 2] = 256;
      continue;
    }
    const r = linearize(unit(image[base]!, low, scale));
    const g = linearize(unit(image[base + 1]!, low, scale));
    const b = linearize(unit(image[base + 2]!, low, scale));
    const fx = labF((0.412453 * r + 0.35758 * g + 0.180423 * b) / 0.95047);
    const fy = labF(0.212671 * r + 0.71516 * g + 0.072169 * b);
    const fz = labF((0.019334 * r + 0.119193 * g + 0.950227 * b) / 1.08883);
    out[p * 3] = quantize(116 * fy - 16, 0);
    out[p * 3 + 1] = quantize(500 * (fx - fy), 256);
    out[p * 3 + 2] = quantize(200 * (fy - fz), 256);
  }
  return out;
}
