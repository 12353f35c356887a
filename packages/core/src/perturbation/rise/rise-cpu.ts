// SPDX-License-Identifier: Apache-2.0
// The host side of RISE (CPU path and black boxes): at 224x224 and 1000 masks it writes 150 M
// values, so the masks are never stored: each sample's grid is interpolated along x once (gridH
// rows), every image row's mask is one interpolation along y, written straight into the batch;
// and the weighted mask sums are kept per vertical shift in that row space (gridH x W per shift
// instead of H x W per sample), expanded to pixels once at the end.
import { invariant, type RiseGeometry } from '@webxai/shaders';
import type { BatchLayout } from '../shared/perturb-cpu.js';
import type { HostBatchWriter, HostStaging } from '../shared/evaluate.js';
import { riseRowWriters, type RiseRowWriters } from './wasm/rise-row.js';

function reflectIndex(i: number, n: number): number {
  if (n === 1) return 0;
  let j = Math.abs(i);
  if (j >= n) j = 2 * n - 2 - j;
  return j;
}

/** Lower/upper source index and weight of every position along an axis (riseMasksRef's `axis`). */
interface AxisTable {
  readonly i0: Int32Array;
  readonly i1: Int32Array;
  readonly f: Float64Array;
}

function axisTable(length: number, shift: number, grid: number, cell: number): AxisTable {
  const i0 = new Int32Array(length);
  const i1 = new Int32Array(length);
  const f = new Float64Array(length);
  for (let u = 0; u < length; u++) {
    const s = (u + shift + 0.5) * (grid / ((grid + 1) * cell)) - 0.5;
    const lo = Math.floor(s);
    i0[u] = reflectIndex(lo, grid);
    i1[u] = reflectIndex(lo + 1, grid);
    f[u] = s - lo;
  }
  return { i0, i1, f };
}

/**
 * Where {@link RiseHost}'s WebAssembly writer finds its sources in the batch's memory (byte
 * addresses): the image's f32 values in the batch's layout (CHW planes or HWC) and the batch's
 * x-interpolated rows (f64), kept in the staging room after the batch (HostStaging), so
 * rise-row.wat writes the batch in place.
 */
interface WasmStage {
  readonly staging: HostStaging;
  readonly layout: BatchLayout;
  readonly writers: RiseRowWriters;
  readonly image: number;
  readonly rows: number;
}

/**
 * RISE's masks and weighted sums on the host for one image: the same f64 operations as
 * riseMasksRef in the same order, so every mask value (rounded to f32) and every perturbed value
 * equals perturbBatchRef's on riseMasksRef's masks. The sums use the unrounded f64 masks
 * (within 2^-24 relative of maskAccumulateRef's f32 ones).
 *
 * A 3-channel black-box batch with staging in a WebAssembly.Memory (see {@link RiseHost.writer})
 * is written by rise-row.wat (SIMD, ~4x less CPU than the JS loops); every other batch (other
 * channel counts, tfjs models on the CPU path), or an engine without WebAssembly SIMD, by the JS loops. Both give the same
 * bits (docs/decisions/0013); {@link RiseHost.lastWrite} says which one wrote.
 */
export class RiseHost {
  private readonly ys = new Map<number, AxisTable>();
  private readonly xs = new Map<number, AxisTable>();
  /** Per vertical shift: sum over samples of weight * (sample's x-interpolated grid rows). */
  private readonly sums = new Map<number, Float64Array>();
  /** The x-interpolated rows of the batch last written, [count, gridH * W] (JS writes'; or in the staging room). */
  private rows: Float64Array;
  private hostRows: Float64Array;
  private rowsFirst = 0;
  private rowsCount = 0;
  private readonly maskRow: Float32Array;
  /**
   * The image's planes (CHW) as f64 (exact copies of the f32 values): m * x then needs no f32 ->
   * f64 conversion per value (about 8 % less CPU in RISE's write, V8 on x64).
   */
  private readonly planar: Float64Array;
  private stage: WasmStage | undefined;
  /** Which writer wrote the last batch: for tests and diagnostics. */
  lastWrite: 'wasm' | 'js' | undefined;

  /** `image`: HWC values of the image; `batchSize`: most samples per {@link write}. */
  constructor(
    private readonly g: RiseGeometry,
    private readonly grids: Float32Array,
    private readonly shifts: Uint32Array,
    private readonly image: Float32Array,
    private readonly channels: number,
    private readonly batchSize: number,
  ) {
    this.hostRows = this.rows = new Float64Array(batchSize * g.gridH * g.width);
    this.maskRow = new Float32Array(g.width);
    const pixels = g.height * g.width;
    this.planar = new Float64Array(pixels * channels);
    for (let c = 0; c < channels; c++) for (let p = 0; p < pixels; p++) this.planar[c * pixels + p] = image[p * channels + c]!;
  }

  /**
   * The batch writer for evaluateBatches: 3 channels ask for staging room in a WebAssembly.Memory
   * (the f32 image, one float of alignment, the batch's f64 rows) for the WebAssembly writer.
   */
  writer(): Omit<HostBatchWriter, 'on'> {
    const write: HostBatchWriter['write'] = (out, first, count, layout, staging) => this.write(out, first, count, layout, staging);
    if (this.channels !== 3) return { write };
    const { height, width, gridH } = this.g;
    return { staging: 3 * height * width + 1 + 2 * this.batchSize * gridH * width, wasmMemory: true, write };
  }

  private table(cache: Map<number, AxisTable>, shift: number, length: number, grid: number): AxisTable {
    let t = cache.get(shift);
    if (!t) cache.set(shift, (t = axisTable(length, shift, grid, this.g.cell)));
    return t;
  }

  /**
   * Writes the perturbed images x * M_i of samples `first .. first + count - 1` into `out`; with
   * `staging` from {@link RiseHost.writer} in a WebAssembly.Memory, in WebAssembly.
   */
  write(out: Float32Array, first: number, count: number, layout: BatchLayout, staging?: HostStaging): void {
    const { height, width, gridH, gridW } = this.g;
    const stride = gridH * width;
    const wasm = this.channels === 3 ? this.wasmStage(out, count, layout, staging) : undefined;
    this.lastWrite = wasm ? 'wasm' : 'js';
    if (wasm) this.rows = new Float64Array(out.buffer, wasm.rows, count * stride);
    else {
      if (this.hostRows.length < count * stride) this.hostRows = new Float64Array(count * stride);
      this.rows = this.hostRows;
    }
    this.rowsFirst = first;
    this.rowsCount = count;
    for (let b = 0; b < count; b++) {
      const sample = first + b;
      const xs = this.table(this.xs, this.shifts[sample * 2 + 1]!, width, gridW);
      const base = sample * gridH * gridW;
      const rows = this.rows.subarray(b * stride, (b + 1) * stride);
      for (let r = 0; r < gridH; r++)
        for (let x = 0; x < width; x++) {
          const a = this.grids[base + r * gridW + xs.i0[x]!]!;
          const c = this.grids[base + r * gridW + xs.i1[x]!]!;
          rows[r * width + x] = a + xs.f[x]! * (c - a);
        }
      const ys = this.table(this.ys, this.shifts[sample * 2]!, height, gridH);
      const imageBase = b * height * width * this.channels;
      if (wasm) {
        this.writeImageWasm(wasm, out.byteOffset + imageBase * 4, wasm.rows + b * stride * 8, ys);
        continue;
      }
      for (let y = 0; y < height; y++) {
        if (layout === 'nchw' && this.channels === 3) {
          this.writeRowPlanar3(out, imageBase, y, rows, ys.i0[y]! * width, ys.i1[y]! * width, ys.f[y]!);
          continue;
        }
        this.interpolateRow(rows, ys.i0[y]! * width, ys.i1[y]! * width, ys.f[y]!);
        if (layout === 'nchw') this.writeRowPlanar(out, imageBase, y);
        else this.writeRowInterleaved(out, imageBase, y);
      }
    }
  }

  /**
   * The WebAssembly writer's sources for `out` in `staging`, the image copied in (in `layout`) once
   * per staging (one per batch loop) and layout; undefined (the JS writer) without staging in a
   * WebAssembly.Memory or without WebAssembly SIMD.
   */
  private wasmStage(out: Float32Array, count: number, layout: BatchLayout, staging: HostStaging | undefined): WasmStage | undefined {
    if (!staging?.memory) return undefined;
    if (this.stage?.staging === staging && this.stage.layout === layout) return this.stage;
    const writers = riseRowWriters(staging.memory);
    if (!writers) return undefined;
    const { whole, offset } = staging;
    const { height, width, gridH } = this.g;
    const pixels = height * width;
    invariant(
      out.buffer === staging.memory.buffer && whole.buffer === out.buffer && count <= this.batchSize,
      'RiseHost: a batch outside its staging memory, or larger than the batch size',
    );
    const image = whole.byteOffset + offset * 4;
    const rows = image + pixels * 3 * 4 + ((image + pixels * 3 * 4) % 8); // f64-aligned
    invariant(rows + this.batchSize * gridH * width * 8 <= whole.byteOffset + whole.byteLength, 'RiseHost: staging too small');
    const f32 = new Float32Array(out.buffer, image, pixels * 3);
    if (layout === 'nchw') for (let i = 0; i < f32.length; i++) f32[i] = this.planar[i]!;
    else f32.set(this.image);
    this.stage = { staging, layout, writers, image, rows };
    return this.stage;
  }

  /** One image of the batch at byte `outBase`, its x-interpolated rows at byte `rowsBase`, by rise-row.wat. */
  private writeImageWasm(stage: WasmStage, outBase: number, rowsBase: number, ys: AxisTable): void {
    const { width, height } = this.g;
    const { writers, image } = stage;
    const plane = height * width * 4;
    for (let y = 0; y < height; y++) {
      const [top, bottom, fy] = [rowsBase + ys.i0[y]! * width * 8, rowsBase + ys.i1[y]! * width * 8, ys.f[y]!];
      if (stage.layout === 'nchw') writers.row3(outBase + y * width * 4, image + y * width * 4, top, bottom, fy, width, plane);
      else writers.row3i(outBase + y * width * 12, image + y * width * 12, top, bottom, fy, width);
    }
  }

  /** maskRow = the mask's image row between grid rows `top` and `bottom` (f32, as riseMasksRef stores it). */
  private interpolateRow(rows: Float64Array, top: number, bottom: number, fy: number): void {
    const m = this.maskRow;
    for (let x = 0; x < m.length; x++) {
      const t = rows[top + x]!;
      m[x] = t + fy * (rows[bottom + x]! - t);
    }
  }

  // perturbBatchRef with fill 0 is x where m = 1 and fround(0 + fround(m * x)) elsewhere. Written
  // as fround(m * x) + z, z = (m - 1) * -0 (-0 where m = 1, +0 for m in [0, 1); no branch, ~2 %
  // CPU): x + -0 = x keeps an x of -0 where m = 1, and + +0 turns the -0 of a product that is 0 or
  // underflows (m = 0, or a small m times a tiny negative x) into +0, as the reference's add
  // does. fround is the product's one f32 rounding (the f64 product of two f32 values is exact):
  // without it the add would be in f64 and an underflowing negative product would become -0 at
  // the store (about 20 % more CPU than that old `m * x + 0`; the WebAssembly writer pays nothing
  // for it). Every channel of a pixel is written in the
  // same pass over x (one mask load per pixel, one loop): about 2x faster than a loop per channel
  // in V8, which does not vectorise either.
  private writeRowPlanar(out: Float32Array, base: number, y: number): void {
    const { width, height } = this.g;
    const m = this.maskRow;
    const p = this.planar;
    const pixels = height * width;
    const row = y * width;
    for (let c = 0; c < this.channels; c++) {
      const src = c * pixels + row;
      const dst = base + src;
      for (let x = 0; x < width; x++) {
        const v = m[x]!;
        out[dst + x] = Math.fround(v * p[src + x]!) + (v - 1) * -0;
      }
    }
  }

  /**
   * writeRowPlanar for 3 channels with the row's mask interpolated in the same loop (NCHW RGB
   * without WebAssembly); the first Math.fround is maskRow's f32 store.
   */
  private writeRowPlanar3(out: Float32Array, base: number, y: number, rows: Float64Array, top: number, bottom: number, fy: number): void {
    const { width, height } = this.g;
    const p = this.planar;
    const pixels = height * width;
    const [r, g, b] = [y * width, pixels + y * width, 2 * pixels + y * width];
    const [or, og, ob] = [base + r, base + g, base + b];
    for (let x = 0; x < width; x++) {
      const t = rows[top + x]!;
      const v = Math.fround(t + fy * (rows[bottom + x]! - t));
      const z = (v - 1) * -0;
      out[or + x] = Math.fround(v * p[r + x]!) + z;
      out[og + x] = Math.fround(v * p[g + x]!) + z;
      out[ob + x] = Math.fround(v * p[b + x]!) + z;
    }
  }

  private writeRowInterleaved(out: Float32Array, base: number, y: number): void {
    const { width } = this.g;
    const { channels, image } = this;
    const m = this.maskRow;
    const row = y * width * channels;
    const o = base + row;
    if (channels === 3) {
      for (let x = 0, i = row, j = o; x < width; x++, i += 3, j += 3) {
        const v = m[x]!;
        const z = (v - 1) * -0;
        out[j] = Math.fround(v * image[i]!) + z;
        out[j + 1] = Math.fround(v * image[i + 1]!) + z;
        out[j + 2] = Math.fround(v * image[i + 2]!) + z;
      }
      return;
    }
    for (let x = 0; x < width; x++) {
      const v = m[x]!;
      const z = (v - 1) * -0;
      for (let c = 0; c < channels; c++) out[o + x * channels + c] = Math.fround(v * image[row + x * channels + c]!) + z;
    }
  }

  /** Adds weights[b] * M_(first + b) for the batch last written (`first` as written). */
  accumulate(first: number, weights: Float64Array): void {
    invariant(
      first === this.rowsFirst && weights.length === this.rowsCount,
      `rise: weights for samples ${first}.. but ${this.rowsFirst}.. were written`,
    );
    const { gridH, width } = this.g;
    const stride = gridH * width;
    for (let b = 0; b < this.rowsCount; b++) {
      const shift = this.shifts[(this.rowsFirst + b) * 2]!;
      let sum = this.sums.get(shift);
      if (!sum) this.sums.set(shift, (sum = new Float64Array(stride)));
      const w = weights[b]!;
      const rows = b * stride;
      for (let i = 0; i < stride; i++) sum[i] = sum[i]! + w * this.rows[rows + i]!;
    }
  }

  /** The per-pixel sums so far: sum_b weights_b * M_b[p] (the masks' y interpolation is linear). */
  sum(): Float64Array {
    const { height, width, gridH } = this.g;
    const acc = new Float64Array(height * width);
    for (const [shift, rows] of this.sums) {
      const ys = this.table(this.ys, shift, height, gridH);
      for (let y = 0; y < height; y++) {
        const top = ys.i0[y]! * width;
        const bottom = ys.i1[y]! * width;
        const fy = ys.f[y]!;
        for (let x = 0; x < width; x++) {
          const t = rows[top + x]!;
          acc[y * width + x] = acc[y * width + x]! + t + fy * (rows[bottom + x]! - t);
        }
      }
    }
    return acc;
  }
}
