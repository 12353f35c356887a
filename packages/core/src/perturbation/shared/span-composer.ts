// SPDX-License-Identifier: Apache-2.0
// The host write of a binary-mask image (partition SHAP's coalitions, superpixel samples): the
// image on a list of pixel spans, the fill everywhere else, every value written once. In a batch
// staged in a WebAssembly.Memory (HostStaging) span-compose.wat does the copies (memory.copy, a
// few ns each: a 224x224 coalition of pixel features is ~900 spans per plane); elsewhere the same
// copies in JS. Copies move bits, so both give perturbBatchRef's values exactly.
import { invariant } from '@webxai/shaders';
import type { HostStaging } from './evaluate.js';
import { nhwcToNchw } from '../../model/onnx/from-onnx.js';
import type { BatchLayout } from './perturb-cpu.js';
import { spanComposeWasm } from './wasm/span-compose.generated.js';
import { WasmModule } from './wasm/wasm-module.js';

interface SpanComposeExports {
  /** Byte addresses: see span-compose.wat. */
  compose(
    out: number,
    image: number,
    fill: number,
    spans: number,
    count: number,
    pixels: number,
    unit: number,
    planes: number,
    plane: number,
  ): void;
  /** `source` on the spans only: see span-compose.wat. */
  copy(out: number, source: number, spans: number, count: number, unit: number, planes: number, plane: number): void;
}

const module = new WasmModule<SpanComposeExports>(spanComposeWasm);

/** Image and fill copied into a batch's staging room in one layout (once per staging and layout). */
interface Staged {
  readonly staging: HostStaging;
  readonly layout: BatchLayout;
  /** Float indices in staging.whole. */
  readonly imageAt: number;
  readonly fillAt: number;
  /** The span list, after the two copies. */
  readonly spans: Int32Array;
  readonly wasm: SpanComposeExports | undefined;
}

/**
 * Writes images of a batch that show the image on sorted, disjoint [start, end) pixel spans and
 * the fill elsewhere. Per batch: {@link SpanComposer.begin}, then per image fill
 * {@link SpanComposer.spans} and call {@link SpanComposer.compose}.
 */
export class SpanComposer {
  private planarCopies: { readonly image: Float32Array; readonly fill: Float32Array } | undefined;
  private hostSpans: Int32Array | undefined;
  private staged: Staged | undefined;
  private out: Float32Array = new Float32Array(0);
  private layout: BatchLayout = 'nhwc';
  /** The staging of the current batch ({@link SpanComposer.begin}), when it has one. */
  private current: Staged | undefined;
  /** Float index of the batch's first value in the staging's buffer (with `current`). */
  private outAt = 0;

  /** `image`, `fill`: HWC values. */
  constructor(
    private readonly image: Float32Array,
    private readonly fill: Float32Array,
    private readonly pixels: number,
    private readonly channels: number,
  ) {}

  /**
   * Planar (CHW) copies of image and fill, made at first use: a staged batch never needs them
   * (stage() writes its copies planar in place), which spares an explanation 2 x 600 KB at 224x224.
   */
  get planar(): { readonly image: Float32Array; readonly fill: Float32Array } {
    const { pixels, channels } = this;
    this.planarCopies ??= { image: nhwcToNchw(this.image, 1, pixels, channels), fill: nhwcToNchw(this.fill, 1, pixels, channels) };
    return this.planarCopies;
  }

  /** Ints a span list may need: a [start, end) pair per pixel at most. */
  private static spanCapacity(pixels: number): number {
    return 2 * pixels;
  }

  /** Floats of HostStaging room a batch writer using a composer asks for: image, fill, span list. */
  static stagingLength(pixels: number, channels: number): number {
    return 2 * pixels * channels + SpanComposer.spanCapacity(pixels);
  }

  /**
   * Starts a batch `out` in `layout`. With `staging` (room of {@link SpanComposer.stagingLength}
   * after `out` in its buffer) image and fill are copied there once per staging and layout, and in
   * a WebAssembly.Memory the module writes.
   */
  begin(out: Float32Array, layout: BatchLayout, staging: HostStaging | undefined): void {
    this.out = out;
    this.layout = layout;
    this.current = staging ? this.stage(out, layout, staging) : undefined;
    if (this.current) this.outAt = (out.byteOffset - this.current.staging.whole.byteOffset) / 4;
  }

  /** The span list {@link SpanComposer.compose} reads: fill its first 2 * count ints. */
  get spans(): Int32Array {
    // A staged batch's list lives in its staging room; this one only where there is none.
    return this.current?.spans ?? (this.hostSpans ??= new Int32Array(SpanComposer.spanCapacity(this.pixels)));
  }

  /** Writes the image at float index `base` of the batch from the first `count` pairs of {@link SpanComposer.spans}. */
  compose(base: number, count: number): void {
    const { pixels } = this;
    const { unit, planes, wasm, address } = this.addressing();
    if (wasm) {
      const s = this.current!;
      wasm.compose(
        address(this.outAt + base),
        address(s.imageAt),
        address(s.fillAt),
        s.spans.byteOffset,
        count,
        pixels,
        4 * unit,
        planes,
        4 * pixels,
      );
      return;
    }
    const spans = this.spans;
    for (let c = 0; c < planes; c++) {
      const plane = c * pixels;
      let at = 0;
      for (let i = 0; i < 2 * count; i += 2) {
        this.copy(false, (plane + at) * unit, (plane + spans[i]!) * unit, base);
        this.copy(true, (plane + spans[i]!) * unit, (plane + spans[i + 1]!) * unit, base);
        at = spans[i + 1]!;
      }
      this.copy(false, (plane + at) * unit, (plane + pixels) * unit, base);
    }
  }

  /**
   * Writes the image (or the fill) at float index `base` of the batch on the `count` pairs of
   * {@link SpanComposer.spans} from int `from`, and nothing else: for an image of the batch whose
   * other pixels already hold the right values (CpuPerturber's writes of what changed).
   */
  copySpans(fromImage: boolean, from: number, count: number, base: number): void {
    const { pixels } = this;
    const { unit, planes, wasm, address } = this.addressing();
    if (wasm) {
      const s = this.current!;
      const source = address(fromImage ? s.imageAt : s.fillAt);
      wasm.copy(address(this.outAt + base), source, s.spans.byteOffset + 4 * from, count, 4 * unit, planes, 4 * pixels);
      return;
    }
    const spans = this.spans;
    for (let c = 0; c < planes; c++) {
      const plane = c * pixels;
      for (let i = from; i < from + 2 * count; i += 2)
        this.copy(fromImage, (plane + spans[i]!) * unit, (plane + spans[i + 1]!) * unit, base);
    }
  }

  /**
   * How the current batch's spans are addressed: pixel `unit` (floats) and `planes` of its layout,
   * and with a staged WebAssembly module the byte `address` of a float index in the staging's buffer.
   */
  private addressing(): { unit: number; planes: number; wasm: SpanComposeExports | undefined; address: (i: number) => number } {
    const planar = this.layout === 'nchw';
    const s = this.current;
    const offset = s?.staging.whole.byteOffset ?? 0;
    return {
      unit: planar ? 1 : this.channels,
      planes: planar ? this.channels : 1,
      wasm: s?.wasm,
      address: (i: number) => offset + 4 * i,
    };
  }

  /**
   * out[base + i] = source[i] for i in [start, end), the image or the fill in the batch's layout:
   * one copyWithin inside the batch's buffer from the staged copies when there are some (about a
   * third less than a `set` of a subarray per span: anchors' 100 perturbed 224x224 images, 10 SLIC
   * segments), else copySpan from this composer's arrays.
   */
  copy(fromImage: boolean, start: number, end: number, base: number): void {
    if (end <= start) return;
    const s = this.current;
    if (s) {
      const at = fromImage ? s.imageAt : s.fillAt;
      s.staging.whole.copyWithin(this.outAt + base + start, at + start, at + end);
      return;
    }
    const planar = this.layout === 'nchw';
    const source = planar ? (fromImage ? this.planar.image : this.planar.fill) : fromImage ? this.image : this.fill;
    copySpan(this.out, source, start, end, base);
  }

  private stage(out: Float32Array, layout: BatchLayout, staging: HostStaging): Staged {
    if (this.staged?.staging === staging && this.staged.layout === layout) return this.staged;
    const { whole, offset } = staging;
    const perImage = this.pixels * this.channels;
    invariant(
      out.buffer === whole.buffer && whole.length >= offset + SpanComposer.stagingLength(this.pixels, this.channels),
      'SpanComposer: staging outside the batch buffer, or too small',
    );
    const planar = layout === 'nchw';
    const put = (values: Float32Array, at: number) => {
      if (planar) nhwcToNchw(values, 1, this.pixels, this.channels, whole.subarray(at, at + perImage));
      else whole.set(values, at);
    };
    put(this.image, offset);
    put(this.fill, offset + perImage);
    const spans = new Int32Array(whole.buffer, whole.byteOffset + 4 * (offset + 2 * perImage), SpanComposer.spanCapacity(this.pixels));
    const wasm = staging.memory ? module.on(staging.memory) : undefined;
    this.staged = { staging, layout, imageAt: offset, fillAt: offset + perImage, spans, wasm };
    return this.staged;
  }

  /** Which writer wrote the last batch: for tests and diagnostics. */
  get lastWrite(): 'wasm' | 'js' {
    return this.current?.wasm ? 'wasm' : 'js';
  }
}

/** out[offset + i] = src[i] for i in [start, end): a loop for short spans, set() (memcpy) for long ones. */
function copySpan(out: Float32Array, src: Float32Array, start: number, end: number, offset: number): void {
  if (end - start < 64) {
    for (let i = start; i < end; i++) out[offset + i] = src[i]!;
  } else {
    out.set(src.subarray(start, end), offset + start);
  }
}
