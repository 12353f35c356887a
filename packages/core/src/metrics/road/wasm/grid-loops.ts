// SPDX-License-Identifier: Apache-2.0
// Loads grid-loops.wat's module (docs/decisions/0013): the imputation's multigrid and conjugate
// gradient loops on 3-channel levels and its envelope Cholesky factorisation, run on arrays an
// Arena cut from its WebAssembly.Memory (arena.ts), so nothing is copied in or out.
import { WasmModule } from '../../../perturbation/shared/wasm/wasm-module.js';
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
  factorEnvelope(first: number, start: number, l: number, count: number): void;
  solveEnvelope(first: number, start: number, l: number, count: number, at: number, k: number, b: number, x: number, y: number): void;
}

/** A module instance and the memory it works on. */
export class GridLoops {
  private constructor(
    readonly exports: GridLoopExports,
    private readonly memory: WebAssembly.Memory,
  ) {}

  /**
   * The loops on `memory` (one instance per memory), or undefined: no memory, or an engine without
   * WebAssembly SIMD (then the JS loops run, with the same bits).
   */
  static on(memory: WebAssembly.Memory | undefined): GridLoops | undefined {
    const exports = memory && module.on(memory);
    return exports && new GridLoops(exports, memory);
  }

  /** Whether every array lies in the memory (an Arena hands out plain arrays when its block is full). */
  holds(...arrays: readonly ArrayBufferView[]): boolean {
    const buffer = this.memory.buffer;
    return arrays.every((a) => a.buffer === buffer);
  }
}

const module = new WasmModule<GridLoopExports>(gridLoopsWasm);
