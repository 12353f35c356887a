// SPDX-License-Identifier: Apache-2.0
import { changedPixels, type RankedMode } from '@webxai/shaders';
import type { BatchLayout } from '../../perturbation/shared/perturb-cpu.js';

/**
 * The host side of deletion / insertion for black boxes and the CPU path: writes the step images
 * themselves instead of a keep-mask per image followed by the generic per-pixel perturber. Step k
 * differs from step k - 1 only in the pixels ranked floor((k-1)P/steps) .. floor(kP/steps) - 1, so
 * each image is a copy of its predecessor in the batch plus those pixels (the first of a batch: a
 * copy of the unchanged source plus every changed pixel). The values are the same as
 * rankedMasksRef + perturbBatchRef (binary masks copy values exactly); ~20x less host time per image
 * at 224x224, which otherwise rivals a software model's forward pass.
 */
export class RankedImageWriter {
  private readonly pixels: number;
  /** Source of the unchanged pixels and source of the changed pixels, both HWC. */
  private readonly unchanged: Float32Array;
  private readonly changed: Float32Array;

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
    let done = 0;
    for (let b = 0; b < count; b++) {
      const base = b * perImage;
      if (b === 0) this.putUnchanged(out, layout);
      else out.copyWithin(base, base - perImage, base);
      const changed = changedPixels(this.firstStep + first + b, this.pixels, this.steps);
      this.change(out, base, b === 0 ? 0 : done, changed, layout);
      done = changed;
    }
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
