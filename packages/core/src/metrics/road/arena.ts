// SPDX-License-Identifier: Apache-2.0

/** Options of {@link Arena}. */
export interface ArenaOptions {
  /**
   * Keep the arrays in a WebAssembly.Memory, where the solve's loops run in WebAssembly
   * (wasm/grid-loops.wat, wasm/envelope-cholesky.wat). Default: true where the engine has WebAssembly; false keeps them in a
   * plain ArrayBuffer (the JS loops, with the same bits).
   */
  readonly webAssembly?: boolean;
}

/** A typed-array constructor (Float64Array, Float32Array, Int32Array). */
interface TypedArrayType<T> {
  readonly BYTES_PER_ELEMENT: number;
  new (buffer: ArrayBuffer, byteOffset: number, length: number): T;
}

/** Bytes a WebAssembly page holds. */
const PAGE = 65536;

/**
 * Typed arrays for a computation that repeats (ROAD's imputations: one per fraction and image), cut
 * from one block of memory kept from one repetition to the next: `rewind()` starts a repetition and
 * hands the block out again from its start, zero-filled. Fresh typed arrays are dear next to
 * refilled ones: in Node 20 a new 1.2 MB Float64Array (a 224x224x3 vector of the solve) cost
 * ~0.5-0.75 ms against ~0.013 ms to zero a kept one, and one imputation at 224x224x3 asks for up to
 * ~18 MB (the 90% fraction). The block is a WebAssembly.Memory (see ArenaOptions), so the solve's
 * WebAssembly loops work on the arrays where they are. A repetition that asks for more than the block
 * holds gets plain new arrays for the rest (and the JS loops for what touches them); the next rewind
 * enlarges the block to what it asked for. An array is the caller's until the next rewind.
 */
export class Arena {
  readonly #webAssembly: boolean;
  #memory: WebAssembly.Memory | undefined;
  #plain: ArrayBuffer | undefined;
  /** Bytes of the block handed out in this repetition. */
  #top = 0;
  /** Bytes this repetition asked for, in the block or not. */
  #asked = 0;

  constructor(options: ArenaOptions = {}) {
    this.#webAssembly = (options.webAssembly ?? true) && typeof WebAssembly === 'object';
  }

  /**
   * Starts a repetition: the arrays handed out so far may be handed out again. The block grows to
   * `expectedBytes` (what the repetition will ask for, when the caller knows) or to what the last
   * repetition asked for, whichever is more.
   */
  rewind(expectedBytes = 0): void {
    const wanted = Math.max(expectedBytes, this.#asked);
    if (wanted > this.capacity) this.#enlarge(wanted);
    this.#top = 0;
    this.#asked = 0;
  }

  /** The WebAssembly.Memory the block is, if it is one (none before the first enlargement). */
  get memory(): WebAssembly.Memory | undefined {
    return this.#memory;
  }

  /** Bytes the block holds. */
  get capacity(): number {
    return (this.#memory?.buffer ?? this.#plain)?.byteLength ?? 0;
  }

  /** Bytes the current repetition asked for so far. */
  get asked(): number {
    return this.#asked;
  }

  /** A zero-filled Float64Array of `length`. */
  float64(length: number): Float64Array {
    return this.#array(Float64Array, length);
  }

  /** A zero-filled Float32Array of `length`. */
  float32(length: number): Float32Array {
    return this.#array(Float32Array, length);
  }

  /** A zero-filled Int32Array of `length`. */
  int32(length: number): Int32Array {
    return this.#array(Int32Array, length);
  }

  /** A zero-filled array of `Type` and `length`, cut from the block when it has room. */
  #array<T extends { fill(value: number): T }>(Type: TypedArrayType<T>, length: number): T {
    const [buffer, offset] = this.#take(length * Type.BYTES_PER_ELEMENT);
    return new Type(buffer, offset, length).fill(0);
  }

  /** Room for `bytes` in the block (16-byte aligned, for the loops' f64x2 loads), or a new buffer. */
  #take(bytes: number): [ArrayBuffer, number] {
    const aligned = Math.ceil(bytes / 16) * 16;
    this.#asked += aligned;
    const block = this.#memory?.buffer ?? this.#plain;
    if (!block || this.#top + aligned > block.byteLength) return [new ArrayBuffer(bytes), 0];
    const offset = this.#top;
    this.#top += aligned;
    return [block, offset];
  }

  #enlarge(bytes: number): void {
    if (!this.#webAssembly) {
      this.#plain = new ArrayBuffer(bytes);
      return;
    }
    const pages = Math.ceil(bytes / PAGE);
    if (this.#memory) this.#memory.grow(pages - this.#memory.buffer.byteLength / PAGE);
    else this.#memory = new WebAssembly.Memory({ initial: pages });
  }
}
