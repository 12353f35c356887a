// SPDX-License-Identifier: Apache-2.0

/**
 * Typed arrays a computation keeps from one call to the next, one per named slot, grown when a call
 * needs more. Chromium pays for every fresh typed array: at 224x224 a new Int32Array of a value per
 * pixel cost ~0.6 ms to allocate and fill in a page where refilling a kept one cost ~0.02 ms (Node:
 * 0.05 and 0.04), so XRAI's six Felzenszwalb segmentations per image, which allocated ~14 MB of
 * temporaries, took ~60 ms of host time there against ~17 ms in Node.
 *
 * A view's values are whatever the slot's last user left: the caller writes every element before
 * reading it. A slot serves one user at a time (the callers are synchronous and name their slots).
 * The memory stays with the owner until it drops the ScratchArrays.
 */
export class ScratchArrays {
  readonly #kept = new Map<string, ArrayBuffer>();

  /** An Int32Array of `length` over slot `slot`'s memory. */
  int32(slot: string, length: number): Int32Array {
    return new Int32Array(this.#buffer(slot, length * 4), 0, length);
  }

  /** A Uint32Array of `length` over slot `slot`'s memory. */
  uint32(slot: string, length: number): Uint32Array {
    return new Uint32Array(this.#buffer(slot, length * 4), 0, length);
  }

  /** A Float64Array of `length` over slot `slot`'s memory. */
  float64(slot: string, length: number): Float64Array {
    return new Float64Array(this.#buffer(slot, length * 8), 0, length);
  }

  #buffer(slot: string, bytes: number): ArrayBuffer {
    let buffer = this.#kept.get(slot);
    if (!buffer || buffer.byteLength < bytes) {
      buffer = new ArrayBuffer(bytes);
      this.#kept.set(slot, buffer);
    }
    return buffer;
  }
}

/**
 * One ScratchArrays lent to one user at a time: memory a user keeps across its awaits (XRAI's graph
 * and label maps, read by six merges with checkpoints between), where a second user meanwhile (an
 * explainer's second call before its first returns) must not get the same arrays: it gets new ones.
 */
export class ScratchLease {
  #kept: ScratchArrays | undefined = new ScratchArrays();

  /** The kept arrays, or new ones while they are out. */
  take(): ScratchArrays {
    const arrays = this.#kept ?? new ScratchArrays();
    this.#kept = undefined;
    return arrays;
  }

  /** Keeps `arrays` (those of the last user to finish) for the next {@link ScratchLease.take}. */
  give(arrays: ScratchArrays): void {
    this.#kept = arrays;
  }
}
