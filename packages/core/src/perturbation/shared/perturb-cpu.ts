// SPDX-License-Identifier: Apache-2.0
import { invariant } from '@webxai/shaders';
import type { HostStaging } from './evaluate.js';

/** Memory layout of a batch of images. */
export type BatchLayout = 'nhwc' | 'nchw';

/**
 * The CPU path's perturbed-batch writer: the same values as perturbBatchRef (exact for binary
 * masks, f32 arithmetic for fractional ones) in either layout (NCHW goes straight into an ONNX
 * model's input, with no transpose). Prepared once per image: planar copies of the image and fill,
 * and the horizontal runs of equal segment, so a superpixel sample is a few thousand contiguous
 * copies instead of a branch per value. perturbBatchRef stays the readable oracle (tests compare).
 */
export class CpuPerturber {
  private readonly planarImage: Float32Array;
  private readonly planarFill: Float32Array;
  /** [start, end, segment] triples of pixel indices (segment masks whose runs are long enough). */
  private readonly runs: Int32Array | undefined;
  /** Pixels per segment label (with `runs`): which of image and fill covers more of a sample. */
  private readonly segmentPixels: Int32Array | undefined;
  /** The segment map's runs are too short to walk (writeGathered instead). */
  private readonly fragmented: boolean = false;
  /** No segments and the fill is all +0 (RISE): fractional values are just m * x. */
  private readonly zeroFill: boolean;
  /** The staging area (and layout) holding copies of image and fill, see {@link CpuPerturber.spans}. */
  private staged: { readonly staging: HostStaging; readonly layout: BatchLayout } | undefined;

  constructor(
    private readonly image: Float32Array,
    private readonly fill: Float32Array,
    private readonly segments: Int32Array | undefined,
    private readonly pixels: number,
    private readonly channels: number,
    width: number,
  ) {
    this.planarImage = toPlanar(image, pixels, channels);
    this.planarFill = toPlanar(fill, pixels, channels);
    this.zeroFill = !segments && allPositiveZero(fill);
    if (segments) {
      const starts = (p: number) => p === 0 || p % width === 0 || segments[p] !== segments[p - 1];
      let count = 0;
      for (let p = 0; p < pixels; p++) if (starts(p)) count++;
      // Runs of a few pixels (pixel features, tiny superpixels): each row's mask is gathered per
      // pixel instead (writeGathered).
      if (count > pixels / 8) this.fragmented = true;
      else {
        const runs = new Int32Array(3 * count);
        for (let p = 0, r = -3; p < pixels; p++) {
          if (starts(p)) {
            r += 3;
            runs[r] = p;
            runs[r + 2] = segments[p]!;
          }
          runs[r + 1] = p + 1;
        }
        this.runs = runs;
        this.segmentPixels = pixelsPerLabel(runs);
      }
    }
  }

  /**
   * Writes `count` images for mask rows sampleOffset.. (maskStride entries each) into `out`.
   * `staging` (2 images of room after `out` in its buffer, see evaluateBatches): binary rows are
   * then copied span by span from copies of image and fill kept there.
   */
  write(
    out: Float32Array,
    masks: Float32Array,
    maskStride: number,
    count: number,
    sampleOffset: number,
    layout: BatchLayout,
    staging?: HostStaging,
  ): Float32Array {
    const { pixels, channels } = this;
    const perImage = pixels * channels;
    const spans = this.spans(out, layout, staging);
    for (let b = 0; b < count; b++) {
      const row = (sampleOffset + b) * maskStride;
      const base = b * perImage;
      if (this.runs && isBinaryRow(masks, row, maskStride)) this.writeRuns(spans, masks, row, base, layout);
      else if (!this.fragmented || !this.writeGathered(spans, masks, row, base, layout)) this.writePixels(out, masks, row, base, layout);
    }
    return out;
  }

  /** Floats of {@link HostStaging} room {@link CpuPerturber.write} uses: a copy of the image and one of the fill. */
  get stagingLength(): number {
    return 2 * this.pixels * this.channels;
  }

  /**
   * The span writer of one {@link CpuPerturber.write}: from image and fill copied into `staging`
   * (once per staging area and layout) when there is one, else from this perturber's arrays.
   * copyWithin inside one buffer costs about a third less than a `set` of a subarray per span
   * (anchors' 100 perturbed 224x224 images, 10 SLIC segments).
   */
  private spans(out: Float32Array, layout: BatchLayout, staging: HostStaging | undefined): SpanWriter {
    const [image, fill] = layout === 'nhwc' ? [this.image, this.fill] : [this.planarImage, this.planarFill];
    if (!staging) return new SpanWriter(out, image, fill);
    const { whole, offset } = staging;
    invariant(out.buffer === whole.buffer && whole.length >= offset + this.stagingLength, 'CpuPerturber: staging outside the batch buffer');
    if (this.staged?.staging !== staging || this.staged.layout !== layout) {
      whole.set(image, offset);
      whole.set(fill, offset + image.length);
      this.staged = { staging, layout };
    }
    return new SpanWriter(out, image, fill, {
      whole,
      outAt: (out.byteOffset - whole.byteOffset) / 4,
      imageAt: offset,
      fillAt: offset + image.length,
    });
  }

  /** The unperturbed image in `layout` (occlusion starts from it and paints its window). */
  copyImage(out: Float32Array, offset: number, layout: BatchLayout): void {
    out.set(layout === 'nchw' ? this.planarImage : this.image, offset);
  }

  /**
   * A binary row over a segment map with long runs: the source (image or fill) that covers more
   * pixels is copied whole (one memcpy per image), then only the other source's runs. About 1.6x
   * less CPU than copying every run (LIME's half-on rows at 224x224, 50 SLIC segments), more for
   * rows with few features on or off (most KernelSHAP coalitions).
   */
  private writeRuns(spans: SpanWriter, masks: Float32Array, row: number, base: number, layout: BatchLayout): void {
    const runs = this.runs!;
    const { pixels, channels } = this;
    const majorityOn = this.pixelsOn(masks, row) * 2 >= pixels;
    spans.copy(majorityOn, 0, pixels * channels, base);
    const minority = !majorityOn;
    // Consecutive runs of the minority source merge into one span (neighbouring superpixels
    // that are both off, or both on): one copy per span.
    for (let r = 0; r < runs.length;) {
      const on = masks[row + runs[r + 2]!] === 1;
      if (on === majorityOn) {
        r += 3;
        continue;
      }
      const start = runs[r]!;
      let end = runs[r + 1]!;
      r += 3;
      while (r < runs.length && runs[r] === end && (masks[row + runs[r + 2]!] === 1) === on) {
        end = runs[r + 1]!;
        r += 3;
      }
      if (layout === 'nhwc') spans.copy(minority, start * channels, end * channels, base);
      else for (let c = 0; c < channels; c++) spans.copy(minority, c * pixels + start, c * pixels + end, base);
    }
  }

  /** Pixels whose segment is on (1) in the binary mask row at `row`. */
  private pixelsOn(masks: Float32Array, row: number): number {
    const sizes = this.segmentPixels!;
    let on = 0;
    for (let s = 0; s < sizes.length; s++) if (masks[row + s] === 1) on += sizes[s]!;
    return on;
  }

  /**
   * Binary rows over a fragmented segment map (partition SHAP's pixel features): one pass over the
   * pixels that gathers each one's mask value and copies every span of equal value at its end
   * (coalitions of rectangles: a few spans per image row). False as soon as a value is neither 0
   * nor 1 (the caller then rewrites the whole image per pixel).
   */
  private writeGathered(spans: SpanWriter, masks: Float32Array, row: number, base: number, layout: BatchLayout): boolean {
    const { pixels, channels } = this;
    const segments = this.segments!;
    let start = 0;
    let on = masks[row + segments[0]!]!;
    for (let p = 1; p <= pixels; p++) {
      const m = p < pixels ? masks[row + segments[p]!]! : -1;
      if (m === on) continue;
      if (on !== 0 && on !== 1) return false;
      if (layout === 'nhwc') spans.copy(on === 1, start * channels, p * channels, base);
      else for (let c = 0; c < channels; c++) spans.copy(on === 1, c * pixels + start, c * pixels + p, base);
      start = p;
      on = m;
    }
    return true;
  }

  private writePixels(out: Float32Array, masks: Float32Array, row: number, base: number, layout: BatchLayout): void {
    const { pixels, channels, segments } = this;
    const image = this.planarImage;
    const fill = this.planarFill;
    if (this.zeroFill && layout === 'nchw') {
      // fround(0 + fround(m * fround(x - 0))) = fround(m * x): one rounding, done by the store.
      for (let c = 0; c < channels; c++) {
        const plane = c * pixels;
        const o = base + plane;
        for (let p = 0; p < pixels; p++) {
          const m = masks[row + p]!;
          out[o + p] = m === 0 ? 0 : m * image[plane + p]!;
        }
      }
      return;
    }
    if (layout === 'nchw') {
      for (let c = 0; c < channels; c++) {
        const plane = c * pixels;
        const o = base + plane;
        for (let p = 0; p < pixels; p++)
          out[o + p] = blend(masks[row + (segments ? segments[p]! : p)]!, image[plane + p]!, fill[plane + p]!);
      }
      return;
    }
    for (let p = 0; p < pixels; p++) {
      const m = masks[row + (segments ? segments[p]! : p)]!;
      for (let c = 0; c < channels; c++) out[base + p * channels + c] = blend(m, image[c * pixels + p]!, fill[c * pixels + p]!);
    }
  }
}

/**
 * Copies spans of an image or its fill into a batch: out[base + i] = source[i] for i in [start,
 * end), the source in the batch's layout. With a staged copy of both in the batch's own buffer,
 * one copyWithin per span; else copySpan.
 */
class SpanWriter {
  constructor(
    private readonly out: Float32Array,
    private readonly image: Float32Array,
    private readonly fill: Float32Array,
    private readonly staged?: { readonly whole: Float32Array; readonly outAt: number; readonly imageAt: number; readonly fillAt: number },
  ) {}

  copy(fromImage: boolean, start: number, end: number, base: number): void {
    const staged = this.staged;
    if (!staged) return copySpan(this.out, fromImage ? this.image : this.fill, start, end, base);
    const at = fromImage ? staged.imageAt : staged.fillAt;
    staged.whole.copyWithin(staged.outAt + base + start, at + start, at + end);
  }
}

/** perturbBatchRef's value: the image where m = 1, the fill where m = 0, f + m (x - f) in f32 between. */
function blend(m: number, x: number, f: number): number {
  return m === 1 ? x : m === 0 ? f : Math.fround(f + Math.fround(m * Math.fround(x - f)));
}

/** out[offset + i] = src[i] for i in [start, end): a loop for short spans, set() (memcpy) for long ones. */
export function copySpan(out: Float32Array, src: Float32Array, start: number, end: number, offset: number): void {
  if (end - start < 64) {
    for (let i = start; i < end; i++) out[offset + i] = src[i]!;
  } else {
    out.set(src.subarray(start, end), offset + start);
  }
}

/** Pixels per label 0 .. max label of [start, end, label] runs. */
function pixelsPerLabel(runs: Int32Array): Int32Array {
  let max = 0;
  for (let r = 2; r < runs.length; r += 3) max = Math.max(max, runs[r]!);
  const counts = new Int32Array(max + 1);
  for (let r = 0; r < runs.length; r += 3) {
    const label = runs[r + 2]!;
    counts[label] = counts[label]! + runs[r + 1]! - runs[r]!;
  }
  return counts;
}

/** Every value is +0 (a plain loop: `every` with a callback costs ~150k calls at 224x224x3). */
function allPositiveZero(values: Float32Array): boolean {
  for (let i = 0; i < values.length; i++) if (values[i] !== 0 || Object.is(values[i], -0)) return false;
  return true;
}

function isBinaryRow(masks: Float32Array, row: number, length: number): boolean {
  for (let i = row; i < row + length; i++) if (masks[i] !== 0 && masks[i] !== 1) return false;
  return true;
}

/** The HWC values `hwc` as planes (CHW). */
export function toPlanar(hwc: Float32Array, pixels: number, channels: number): Float32Array {
  const out = new Float32Array(hwc.length);
  for (let c = 0; c < channels; c++) for (let p = 0; p < pixels; p++) out[c * pixels + p] = hwc[p * channels + c]!;
  return out;
}
