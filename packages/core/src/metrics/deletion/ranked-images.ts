// SPDX-License-Identifier: Apache-2.0
import { changedPixels, type RankedMode } from '@webxai/shaders';
import { nhwcToNchw } from '../../model/onnx/from-onnx.js';
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
  /** [source of unchanged pixels, source of changed pixels], HWC and planar. */
  private readonly hwc: readonly [Float32Array, Float32Array];
  /** Made on the first NCHW batch (only a planar black box asks for one). */
  private planar: readonly [Float32Array, Float32Array] | undefined;

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
    this.hwc = mode === 'deletion' ? [image, fill] : [fill, image];
  }

  /** Writes the images of samples first .. first + count - 1 into `out` in `layout`. */
  write(out: Float32Array, first: number, count: number, layout: BatchLayout): void {
    const perImage = this.pixels * this.channels;
    const [unchanged] = this.sources(layout);
    let done = 0;
    for (let b = 0; b < count; b++) {
      const base = b * perImage;
      if (b === 0) out.set(unchanged, base);
      else out.copyWithin(base, base - perImage, base);
      const changed = changedPixels(this.firstStep + first + b, this.pixels, this.steps);
      this.change(out, base, b === 0 ? 0 : done, changed, layout);
      done = changed;
    }
  }

  private sources(layout: BatchLayout): readonly [Float32Array, Float32Array] {
    if (layout === 'nhwc') return this.hwc;
    this.planar ??= [nhwcToNchw(this.hwc[0], 1, this.pixels, this.channels), nhwcToNchw(this.hwc[1], 1, this.pixels, this.channels)];
    return this.planar;
  }

  /** Pixels order[from .. to - 1] of the image at `base` take the changed source's values. */
  private change(out: Float32Array, base: number, from: number, to: number, layout: BatchLayout): void {
    const { order, channels, pixels } = this;
    const source = this.sources(layout)[1];
    if (layout === 'nchw') {
      for (let c = 0; c < channels; c++) {
        const plane = c * pixels;
        for (let r = from; r < to; r++) out[base + plane + order[r]!] = source[plane + order[r]!]!;
      }
      return;
    }
    for (let r = from; r < to; r++) {
      const v = order[r]! * channels;
      for (let c = 0; c < channels; c++) out[base + v + c] = source[v + c]!;
    }
  }
}
