// SPDX-License-Identifier: Apache-2.0

/** Arguments of {@link perturbBatchRef} (mirror perturb-batch.wgsl's bindings). */
export interface PerturbBatchArgs {
  /** One image, H * W * C values (HWC). */
  readonly image: ArrayLike<number>;
  /** What hidden features show, H * W * C values. */
  readonly fill: ArrayLike<number>;
  /** Segment label per pixel (H * W); omit for per-pixel masks. */
  readonly segments?: ArrayLike<number>;
  /** Mask rows, `maskStride` entries per sample. */
  readonly masks: ArrayLike<number>;
  readonly maskStride: number;
  readonly pixels: number;
  readonly channels: number;
  readonly count: number;
  readonly sampleOffset?: number;
  readonly outOffset?: number;
}

/**
 * CPU reference for perturb-batch.wgsl, and the explicit CPU path: writes `count` perturbed images
 * into `out` (allocated when omitted) and returns it.
 */
export function perturbBatchRef(args: PerturbBatchArgs, out?: Float32Array): Float32Array {
  const { image, fill, segments, masks, maskStride, pixels, channels, count, sampleOffset = 0, outOffset = 0 } = args;
  const perImage = pixels * channels;
  const output = out ?? new Float32Array((outOffset + count) * perImage);
  for (let b = 0; b < count; b++) {
    const row = (sampleOffset + b) * maskStride;
    const base = (outOffset + b) * perImage;
    for (let p = 0; p < pixels; p++) {
      const m = masks[row + (segments ? segments[p]! : p)]!;
      for (let c = 0, v = p * channels; c < channels; c++, v++) {
        const x = image[v]!;
        const f = fill[v]!;
        output[base + v] = m === 1 ? x : m === 0 ? f : Math.fround(f + Math.fround(m * Math.fround(x - f)));
      }
    }
  }
  return output;
}
