// SPDX-License-Identifier: Apache-2.0
// Loads rise-row.wat's module (docs/decisions/0013). The module imports the memory it writes: the
// memory a host batch lives in (host-batch-pool.ts), so the batch, the image planes and the mask
// rows it reads are all in one WebAssembly.Memory and nothing is copied in or out.
import { riseRowWasm } from './rise-row.generated.js';

/**
 * rise-row.wat's exports, each writing one image row of a 3-channel batch (byte addresses in the
 * memory): out_c[x] = f32(v[x] * src_c[x]) + 0 (src_c[x] itself where v[x] = 1), with
 * v[x] = f32(top[x] + fy * (bottom[x] - top[x])).
 */
export interface RiseRowWriters {
  /** NCHW: `out` and `src` at channel 0 of the row, the other channels `plane` bytes apart. */
  row3(out: number, src: number, top: number, bottom: number, fy: number, width: number, plane: number): void;
  /** NHWC: `out` and `src` at the row's first pixel, RGB interleaved. */
  row3i(out: number, src: number, top: number, bottom: number, fy: number, width: number): void;
}

let compiled: WebAssembly.Module | null | undefined;
const instances = new WeakMap<WebAssembly.Memory, RiseRowWriters>();

/**
 * The compiled module, or null where this engine has no WebAssembly, no SIMD, or may not compile
 * it (a page's CSP without 'wasm-unsafe-eval'): RiseHost then writes in JS, with the same bits.
 * Compiled once, synchronously: it is ~1 kB, far below the size browsers allow to compile on the
 * main thread.
 */
function riseRowModule(): WebAssembly.Module | null {
  if (typeof WebAssembly !== 'object') return null;
  if (compiled === undefined) {
    const bytes = Uint8Array.from(atob(riseRowWasm), (c) => c.charCodeAt(0));
    try {
      compiled = WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
    } catch {
      compiled = null; // compiling refused (CSP): the JS writer
    }
  }
  return compiled;
}

/** The row writers on `memory` (one instance per memory), or undefined without WebAssembly SIMD. */
export function riseRowWriters(memory: WebAssembly.Memory): RiseRowWriters | undefined {
  const module = riseRowModule();
  if (!module) return undefined;
  let writers = instances.get(memory);
  if (!writers) {
    writers = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as RiseRowWriters;
    instances.set(memory, writers);
  }
  return writers;
}
