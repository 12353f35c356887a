// SPDX-License-Identifier: Apache-2.0
// Loads ROAD's solve modules (docs/decisions/0013): grid-loops.wat (the multigrid's and conjugate
// gradients' loops on 3-channel levels) and envelope-cholesky.wat (the direct solve, any channel
// count), run on arrays an Arena cut from its WebAssembly.Memory (arena.ts), so nothing is copied
// in or out. Two modules, not one: each stays below 4 kB, what older Chromes compiled on the main
// thread.
import { WasmModule } from '../../../perturbation/shared/wasm/wasm-module.js';
import { envelopeCholeskyWasm } from './envelope-cholesky.generated.js';
import { gridLoopsWasm } from './grid-loops.generated.js';

/** The byte offsets of a level's 8 neighbours (stencil slots 0-3 and 5-8). */
type NeighbourOffsets = [number, number, number, number, number, number, number, number];

/**
 * grid-loops.wat's exports. Array arguments are byte addresses in the memory; each function does
 * what the JS function named in the .wat does, in its order of operations (the same bits).
 */
export interface GridLoopExports {
  multiply3(stencil: number, at: number, count: number, x: number, out: number, ...offsets: NeighbourOffsets): void;
  sweep3(
    stencil: number,
    at: number,
    inverse: number,
    count: number,
    b: number,
    x: number,
    backward: number,
    ...offsets: NeighbourOffsets
  ): void;
  sweepFromZero3(
    stencil: number,
    at: number,
    inverse: number,
    count: number,
    b: number,
    x: number,
    residual: number,
    ...offsets: NeighbourOffsets
  ): void;
  restrict3(unknownAt: number, height: number, width: number, finePadded: number, coarsePadded: number, r: number, b: number): void;
  prolongAdd3(unknownAt: number, height: number, width: number, finePadded: number, coarsePadded: number, e: number, x: number): void;
  step3(
    at: number,
    count: number,
    alpha0: number,
    alpha1: number,
    alpha2: number,
    x: number,
    r: number,
    p: number,
    q: number,
    sums: number,
  ): void;
  nextDirection3(at: number, count: number, beta0: number, beta1: number, beta2: number, z: number, p: number): void;
  columnDots3(at: number, count: number, u: number, v: number, sums: number): void;
}

/** envelope-cholesky.wat's exports (byte addresses; envelope-cholesky.ts's factor and solve, the same bits). */
export interface EnvelopeExports {
  factorEnvelope(first: number, start: number, l: number, count: number): void;
  solveEnvelope(first: number, start: number, l: number, count: number, at: number, k: number, b: number, x: number, y: number): void;
}

/** A module's instance on a memory, and whether arrays lie in that memory. */
export class LoopsOn<Exports> {
  private constructor(
    readonly exports: Exports,
    private readonly memory: WebAssembly.Memory,
  ) {}

  /**
   * `module`'s loops on `memory` (one instance per memory), or undefined: no memory, or an engine
   * without WebAssembly SIMD (then the JS loops run, with the same bits).
   */
  static of<Exports>(module: WasmModule<Exports>, memory: WebAssembly.Memory | undefined): LoopsOn<Exports> | undefined {
    const exports = memory && module.on(memory);
    return exports && new LoopsOn(exports, memory);
  }

  /** Whether every array lies in the memory (an Arena hands out plain arrays when its block is full). */
  holds(...arrays: readonly ArrayBufferView[]): boolean {
    const buffer = this.memory.buffer;
    return arrays.every((a) => a.buffer === buffer);
  }
}

export type GridLoops = LoopsOn<GridLoopExports>;
export type EnvelopeLoops = LoopsOn<EnvelopeExports>;

const gridModule = new WasmModule<GridLoopExports>(gridLoopsWasm);
const envelopeModule = new WasmModule<EnvelopeExports>(envelopeCholeskyWasm);

/** The multigrid's and conjugate gradients' loops on `memory`, or undefined (see LoopsOn.of). */
export const gridLoops = (memory: WebAssembly.Memory | undefined): GridLoops | undefined => LoopsOn.of(gridModule, memory);

/** The envelope Cholesky factor's loops on `memory`, or undefined (see LoopsOn.of). */
export const envelopeLoops = (memory: WebAssembly.Memory | undefined): EnvelopeLoops | undefined => LoopsOn.of(envelopeModule, memory);
