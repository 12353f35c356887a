// SPDX-License-Identifier: Apache-2.0
import type { HostStaging } from './evaluate.js';
import { SpanComposer } from './span-composer.js';

/** Memory layout of a batch of images. */
export type BatchLayout = 'nhwc' | 'nchw';

/**
 * The CPU path's perturbed-batch writer: the same values as perturbBatchRef (exact for binary
 * masks, f32 arithmetic for fractional ones) in either layout (NCHW goes straight into an ONNX
 * model's input, with no transpose). Prepared once per image: the horizontal runs of equal segment,
 * so a superpixel sample is a few thousand contiguous copies instead of a branch per value. Planar
 * copies of image and fill live in the batch's staging room, or are made at the first NCHW write
 * that needs them (SpanComposer.planar). perturbBatchRef stays the readable oracle (tests compare).
 */
export class CpuPerturber {
  /** [start, end, segment] triples of pixel indices (segment masks whose runs are long enough). */
  private readonly runs: Int32Array | undefined;
  /** The segment map's runs are too short to walk (writeGathered instead). */
  private readonly fragmented: boolean = false;
  /** No segments and the fill is all +0 (RISE): fractional values are just m * x. */
  private readonly zeroFill: boolean;
  /** Binary rows over runs: the image on the runs switched on, the fill on the others, each value once. */
  private readonly composer: SpanComposer;
  /** The mask rows the batch's images were last written from, where the batch is kept between calls. */
  private slots: SlotRows | undefined;

  constructor(
    private readonly image: Float32Array,
    private readonly fill: Float32Array,
    private readonly segments: Int32Array | undefined,
    private readonly pixels: number,
    private readonly channels: number,
    width: number,
  ) {
    this.composer = new SpanComposer(image, fill, pixels, channels);
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
      }
    }
  }

  /**
   * Writes `count` images for mask rows sampleOffset.. (maskStride entries each) into `out`.
   * `staging` ({@link CpuPerturber.stagingLength} of room after `out` in its buffer, see
   * evaluateBatches): binary rows are then copied span by span from copies of image and fill kept
   * there, in WebAssembly when the buffer is a WebAssembly.Memory (SpanComposer).
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
    this.composer.begin(out, layout, staging);
    const slots = this.keptSlots(out, layout, maskStride, staging);
    for (let b = 0; b < count; b++) {
      const row = (sampleOffset + b) * maskStride;
      const base = b * perImage;
      if (this.runs && isBinaryRow(masks, row, maskStride)) {
        const previous = slots?.row(b);
        if (previous) this.writeChanges(masks, row, base, previous);
        else this.writeRuns(masks, row, base);
        slots?.remember(b, masks, row);
        continue;
      }
      slots?.forget(b);
      if (!this.fragmented || !this.writeGathered(masks, row, base, layout)) this.writePixels(out, masks, row, base, layout);
    }
    return out;
  }

  /**
   * The rows the batch's images hold, when the batch is kept between the calls of one loop
   * (HostStaging's batchKept) and the map has runs: the same staging, layout, batch memory and row
   * length as the last call, or a fresh record that knows no image yet.
   */
  private keptSlots(out: Float32Array, layout: BatchLayout, maskStride: number, staging: HostStaging | undefined): SlotRows | undefined {
    if (!staging?.batchKept || !this.runs) return (this.slots = undefined);
    if (!this.slots?.holds(staging, layout, out.byteOffset, maskStride))
      this.slots = new SlotRows(staging, layout, out.byteOffset, maskStride);
    return this.slots;
  }

  /** Floats of {@link HostStaging} room {@link CpuPerturber.write} uses: image, fill and a span list (SpanComposer). */
  get stagingLength(): number {
    return SpanComposer.stagingLength(this.pixels, this.channels);
  }

  /** Which writer wrote the last batch's binary rows over runs (SpanComposer's): for tests and diagnostics. */
  get lastWrite(): 'wasm' | 'js' {
    return this.composer.lastWrite;
  }

  /** The unperturbed image in `layout` (occlusion starts from it and paints its window). */
  copyImage(out: Float32Array, offset: number, layout: BatchLayout): void {
    out.set(layout === 'nchw' ? this.composer.planar.image : this.image, offset);
  }

  /**
   * A binary row over a segment map with long runs: the runs switched on, neighbours joined, are
   * the image's spans and the composer writes them and the fill's gaps, each value once (in
   * WebAssembly: ~3,000 copies per 224x224 image at 10 SLIC segments, planar).
   */
  private writeRuns(masks: Float32Array, row: number, base: number): void {
    const runs = this.runs!;
    const spans = this.composer.spans;
    let n = 0;
    for (let r = 0; r < runs.length; r += 3) if (masks[row + runs[r + 2]!] === 1) n = appendSpan(spans, 0, n, runs[r]!, runs[r + 1]!);
    this.composer.compose(base, n / 2);
  }

  /**
   * A binary row over runs into an image that holds binary row `previous`'s: only the runs whose
   * segment flipped are copied, from the image where it turned on and from the fill where it
   * turned off (in WebAssembly, as writeRuns; about half the copies of a whole image for anchors'
   * samples). The image list fills the span list's first half, the fill list its second: each
   * takes at most 2 ints per run, and runs are at most pixels / 8 (else the map is fragmented).
   */
  private writeChanges(masks: Float32Array, row: number, base: number, previous: Float32Array): void {
    const runs = this.runs!;
    const spans = this.composer.spans;
    const fillList = this.pixels;
    let on = 0;
    let off = fillList;
    for (let r = 0; r < runs.length; r += 3) {
      const segment = runs[r + 2]!;
      const m = masks[row + segment]!;
      if (m === previous[segment]) continue;
      if (m === 1) on = appendSpan(spans, 0, on, runs[r]!, runs[r + 1]!);
      else off = appendSpan(spans, fillList, off, runs[r]!, runs[r + 1]!);
    }
    this.composer.copySpans(true, 0, on / 2, base);
    this.composer.copySpans(false, fillList, (off - fillList) / 2, base);
  }

  /**
   * Binary rows over a fragmented segment map (partition SHAP's pixel features): one pass over the
   * pixels that gathers each one's mask value and copies every span of equal value at its end
   * (coalitions of rectangles: a few spans per image row). False as soon as a value is neither 0
   * nor 1 (the caller then rewrites the whole image per pixel).
   */
  private writeGathered(masks: Float32Array, row: number, base: number, layout: BatchLayout): boolean {
    const { pixels, channels, composer } = this;
    const segments = this.segments!;
    let start = 0;
    let on = masks[row + segments[0]!]!;
    for (let p = 1; p <= pixels; p++) {
      const m = p < pixels ? masks[row + segments[p]!]! : -1;
      if (m === on) continue;
      if (on !== 0 && on !== 1) return false;
      if (layout === 'nhwc') composer.copy(on === 1, start * channels, p * channels, base);
      else for (let c = 0; c < channels; c++) composer.copy(on === 1, c * pixels + start, c * pixels + p, base);
      start = p;
      on = m;
    }
    return true;
  }

  private writePixels(out: Float32Array, masks: Float32Array, row: number, base: number, layout: BatchLayout): void {
    const { pixels, channels, segments } = this;
    if (layout === 'nhwc') {
      const { image, fill } = this;
      for (let p = 0; p < pixels; p++) {
        const m = masks[row + (segments ? segments[p]! : p)]!;
        for (let c = 0; c < channels; c++) {
          const i = p * channels + c;
          out[base + i] = blend(m, image[i]!, fill[i]!);
        }
      }
      return;
    }
    // NCHW: from the planar copies (made once, at the first such write).
    const { image, fill } = this.composer.planar;
    if (this.zeroFill) {
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
    for (let c = 0; c < channels; c++) {
      const plane = c * pixels;
      const o = base + plane;
      for (let p = 0; p < pixels; p++) out[o + p] = blend(masks[row + (segments ? segments[p]! : p)]!, image[plane + p]!, fill[plane + p]!);
    }
  }
}

/**
 * Appends pixel span [start, end) to the span list that begins at int `list` of `spans` and ends
 * before int `n`, joined to the last span when they touch; returns the list's new end.
 */
function appendSpan(spans: Int32Array, list: number, n: number, start: number, end: number): number {
  if (n > list && spans[n - 1] === start) {
    spans[n - 1] = end;
    return n;
  }
  spans[n] = start;
  spans[n + 1] = end;
  return n + 2;
}

/**
 * Per image slot of a kept batch (HostStaging's batchKept), the binary mask row it was last
 * written from, or nothing when that is not known (a slot not written yet in this loop, or last
 * written per pixel).
 */
class SlotRows {
  private rows = new Float32Array(0);
  private known = new Uint8Array(0);

  constructor(
    private readonly staging: HostStaging,
    private readonly layout: BatchLayout,
    private readonly byteOffset: number,
    private readonly stride: number,
  ) {}

  /** The record is for this loop's staging, layout, batch memory and row length. */
  holds(staging: HostStaging, layout: BatchLayout, byteOffset: number, stride: number): boolean {
    return staging === this.staging && layout === this.layout && byteOffset === this.byteOffset && stride === this.stride;
  }

  /** The row slot `b`'s image was written from, if known. */
  row(b: number): Float32Array | undefined {
    return this.known[b] ? this.rows.subarray(b * this.stride, (b + 1) * this.stride) : undefined;
  }

  remember(b: number, masks: Float32Array, row: number): void {
    if (b >= this.known.length) this.grow(b + 1);
    this.rows.set(masks.subarray(row, row + this.stride), b * this.stride);
    this.known[b] = 1;
  }

  forget(b: number): void {
    if (b < this.known.length) this.known[b] = 0;
  }

  private grow(slots: number): void {
    const rows = new Float32Array(2 * slots * this.stride);
    rows.set(this.rows);
    const known = new Uint8Array(2 * slots);
    known.set(this.known);
    [this.rows, this.known] = [rows, known];
  }
}

/** perturbBatchRef's value: the image where m = 1, the fill where m = 0, f + m (x - f) in f32 between. */
function blend(m: number, x: number, f: number): number {
  return m === 1 ? x : m === 0 ? f : Math.fround(f + Math.fround(m * Math.fround(x - f)));
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
