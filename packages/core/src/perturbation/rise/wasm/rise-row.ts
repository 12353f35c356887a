// SPDX-License-Identifier: Apache-2.0
// Loads rise-row.wat's module (docs/decisions/0013). The module imports the memory it writes: the
// memory a host batch lives in (host-batch-pool.ts), so the batch, the image planes and the mask
// rows it reads are all in one WebAssembly.Memory and nothing is copied in or out.
import { riseRowWasm } from './rise-row.generated.js';

/**
 * rise-row.wat's `row3`: one image row of a 3-channel NCHW batch (byte addresses in the memory):
 * out_c[x] = f32(v[x] * src_c[x]) + 0 (v[x] itself where v[x] = 1), v[x] = f32(top[x] + fy * (bottom[x] - top[x])).
 */
export type RiseRow3 = (out: number, src: number, top: number, bottom: number, fy: number, width: number, plane: number) => void;

let compiled: WebAssembly.Module | null | undefined;
const instances = new WeakMap<WebAssembly.Memory, RiseRow3>();

/**
 * The compiled module, or null where this engine has no WebAssembly, no SIMD, or may not compile
 * it (a page's CSP without 'wasm-unsafe-eval'): RiseHost then writes in JS, with the same bits.
 * Compiled once, synchronously: it is 0.5 kB, far below the size browsers allow to compile on the
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

/** `row3` writing into `memory` (one instance per memory), or undefined without WebAssembly SIMD. */
export function riseRow3(memory: WebAssembly.Memory): RiseRow3 | undefined {
  const module = riseRowModule();
  if (!module) return undefined;
  let row3 = instances.get(memory);
  if (!row3) {
    const instance = new WebAssembly.Instance(module, { env: { memory } });
    row3 = instance.exports.row3 as RiseRow3;
    instances.set(memory, row3);
  }
  return row3;
}
