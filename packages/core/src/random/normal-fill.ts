// SPDX-License-Identifier: Apache-2.0
// The normal stream's values on the host, in WebAssembly where the engine has it (wasm/normal-fill.wat,
// docs/decisions/0013): @webxai/shaders' normalFill bit for bit (so the GPU's randomNormal too), in
// about a third of its CPU time. Core's host code draws its noise here (an ESLint rule keeps the JS
// reference out of core's production code): ROAD's imputation noise (about a fifth of a 224x224x3
// imputation in JS), infidelity's perturbations, Quick Shift's tie-breaking noise, and SmoothGrad's,
// the sanity copies' and visualizeFeature's start on the CPU path.
import { checkStreamRange, NORMAL_STREAM, NORMAL_TABLE, normalFill as normalFillJs, ShapeMismatchError } from '@webxai/shaders';
import { WasmModule } from '../perturbation/shared/wasm/wasm-module.js';
import { normalFillWasm } from './wasm/normal-fill.generated.js';

/** normal-fill.wat's export: `count` values of the stream at `offset` to the f32s at byte address `out`. */
interface NormalFillExports {
  normalFill(out: number, count: number, offset: number, k0: number, k1: number, stream: number, mean: number, std: number): void;
}

/** Values drawn per call of the module: its output room (4 MB) stays small whatever the caller asks for. */
const CHUNK = 1 << 20;
/** Where the output room starts: after the table (i32s at address 0), 16-byte aligned. */
const OUT = Math.ceil((NORMAL_TABLE.length * 4) / 16) * 16;
const PAGE = 65536;

const module = new WasmModule<NormalFillExports>(normalFillWasm);

/** The module on its own memory holding the table, or null without WebAssembly SIMD. */
let instance: { readonly exports: NormalFillExports; readonly memory: WebAssembly.Memory } | null | undefined;

function wasmInstance(): typeof instance {
  if (instance === undefined) {
    const memory = typeof WebAssembly === 'object' ? new WebAssembly.Memory({ initial: Math.ceil((OUT + CHUNK * 4) / PAGE) }) : undefined;
    const exports = memory && module.on(memory);
    if (memory && exports) new Int32Array(memory.buffer, 0, NORMAL_TABLE.length).set(NORMAL_TABLE);
    instance = memory && exports ? { exports, memory } : null;
  }
  return instance;
}

/** Whether {@link normalFill} runs in WebAssembly here (else it is @webxai/shaders' JS normalFill). */
export function normalFillRunsWebAssembly(): boolean {
  return wasmInstance() !== null;
}

/**
 * N(mean, std^2) values offset .. offset + count - 1 of the normal stream `seed`, written to
 * out[0 .. count) (a new array when `out` is omitted): bit-identical to @webxai/shaders'
 * normalFill (and its errors: InvalidOptionError for a bad seed or range, ShapeMismatchError when
 * `out` is shorter than `count`).
 */
export function normalFill(seed: number, offset: number, count: number, mean?: number, std?: number): Float32Array<ArrayBuffer>;
export function normalFill<T extends Float32Array>(seed: number, offset: number, count: number, mean: number, std: number, out: T): T;
export function normalFill(seed: number, offset: number, count: number, mean = 0, std = 1, out?: Float32Array): Float32Array {
  const wasm = wasmInstance();
  if (!wasm) return out ? normalFillJs(seed, offset, count, mean, std, out) : normalFillJs(seed, offset, count, mean, std);
  const [k0, k1] = checkStreamRange(seed, offset, count);
  if (out && out.length < count) throw new ShapeMismatchError(`random: out holds ${out.length} values, ${count} to write`);
  const target = out ?? new Float32Array(count);
  for (let done = 0; done < count; done += CHUNK) {
    const n = Math.min(CHUNK, count - done);
    // Counters past 2^31 go in as negative i32s: the module's additions are mod 2^32, as the stream's.
    wasm.exports.normalFill(OUT, n, (offset + done) | 0, k0, k1, NORMAL_STREAM, mean, std);
    target.set(new Float32Array(wasm.memory.buffer, OUT, n), done);
  }
  return target;
}
