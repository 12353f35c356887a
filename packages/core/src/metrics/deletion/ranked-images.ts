// SPDX-License-Identifier: Apache-2.0
import { changedPixels, type RankedMode } from '@webxai/shaders';
import type { BatchLayout } from '../../perturbation/shared/perturb-cpu.js';

/**
 * The host side of deletion / insertion for black boxes and the CPU path: writes the step images
 * themselves instead of a keep-mask per image followed by the generic per-pixel perturber. Step k
 * differs from step k - 1 only in the pixels ranked floor((k-1)P/steps) .. floor(kP/steps) - 1, so
 * each image is a copy of its predecessor in the batch plus those pixels. The first of a batch
 * continues from a copy of the previous batch's last image when the batches follow each other (else:
 * the unchanged source plus every changed pixel), so small batches (fromOnnx's 4 images at 224x224)
 * do not rewrite the whole image and its changed pixels once per batch. The values are the same as
 * rankedMasksRef + perturbBatchRef (binary masks copy values exactly); ~20x less host time per image
 * at 224x224, which otherwise rivals a software model's forward pass.
 */
export class RankedImageWriter {
  private readonly pixels: number;
  /** Source of the unchanged pixels and source of the changed pixels, both HWC. */
  private readonly unchanged: Float32Array;
  private readonly changed: Float32Array;
  /** The last image written, in `carry.layout`, its changed-pixel count and the sample that may continue from it. */
  private carry: { image: Float32Array; layout: BatchLayout; done: number; next: number } | undefined;

  /**
   * @param order pixel indices by descending score (descendingOrder): order[r] is changed r-th.
   * @param firstStep the step of image 0 (deletion 1, insertion 0: the unperturbed end is not written).
   */
  constructor(
    mode: RankedMode,
    image: Float32Array,
    fill: Float32Array,
    private readonly order: Uint32Array,
    private readonly steps: number,
    private readonly firstStep: number,
    private readonly channels: number,
  ) {
    this.pixels = order.length;
    [this.unchanged, this.changed] = mode === 'deletion' ? [image, fill] : [fill, image];
  }

  /** Writes the images of samples first .. first + count - 1 into `out` in `layout`. */
  write(out: Float32Array, first: number, count: number, layout: BatchLayout): void {
    const perImage = this.pixels * this.channels;
    let done = this.startFirstImage(out, first, layout);
    for (let b = 0; b < count; b++) {
      const base = b * perImage;
      if (b > 0) out.copyWithin(base, base - perImage, base);
      const changed = changedPixels(this.firstStep + first + b, this.pixels, this.steps);
      this.change(out, base, done, changed, layout);
      done = changed;
    }
    this.keepLast(out.subarray((count - 1) * perImage, count * perImage), first + count, layout, done);
  }

  /** Image 0 of `out` before sample `first`'s changes: the carried image when it precedes `first`; returns its changed-pixel count. */
  private startFirstImage(out: Float32Array, first: number, layout: BatchLayout): number {
    const carry = this.carry;
    if (carry && carry.next === first && carry.layout === layout) {
      out.set(carry.image);
      return carry.done;
    }
    this.putUnchanged(out, layout);
    return 0;
  }

  private keepLast(image: Float32Array, next: number, layout: BatchLayout, done: number): void {
    const kept = this.carry?.image ?? new Float32Array(image.length);
    kept.set(image);
    this.carry = { image: kept, layout, done, next };
  }

  /**
   * The unchanged source into image 0 of `out`, transposed on the fly for NCHW: no planar copy of
   * the sources is made (a fresh array per call costs its first-touch page faults, which on a
   * VM rival the writes themselves).
   */
  private putUnchanged(out: Float32Array, layout: BatchLayout): void {
    const { unchanged, pixels, channels } = this;
    if (layout === 'nhwc' || channels === 1) {
      out.set(unchanged);
      return;
    }
    for (let c = 0; c < channels; c++) {
      const plane = c * pixels;
      for (let p = 0; p < pixels; p++) out[plane + p] = unchanged[p * channels + c]!;
    }
  }

  /** Pixels order[from .. to - 1] of the image at `base` take the changed source's values. */
  private change(out: Float32Array, base: number, from: number, to: number, layout: BatchLayout): void {
    const { order, channels, pixels, changed: source } = this;
    if (layout === 'nchw') {
      for (let c = 0; c < channels; c++) {
        const plane = base + c * pixels;
        for (let r = from; r < to; r++) {
          const p = order[r]!;
          out[plane + p] = source[p * channels + c]!;
        }
      }
      return;
    }
    for (let r = from; r < to; r++) {
      const v = order[r]! * channels;
      for (let c = 0; c < channels; c++) out[base + v + c] = source[v + c]!;
    }
  }
}
