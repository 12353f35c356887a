// SPDX-License-Identifier: Apache-2.0
// Loads rise-row.wat's module (docs/decisions/0013). The module imports the memory it writes: the
// memory a host batch lives in (host-batch-pool.ts), so the batch, the image planes and the mask
// rows it reads are all in one WebAssembly.Memory and nothing is copied in or out.
import { WasmModule } from '../../shared/wasm/wasm-module.js';
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

const module = new WasmModule<RiseRowWriters>(riseRowWasm);

/** The row writers on `memory` (one instance per memory), or undefined without WebAssembly SIMD. */
export function riseRowWriters(memory: WebAssembly.Memory): RiseRowWriters | undefined {
  return module.on(memory);
}
