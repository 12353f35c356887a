// SPDX-License-Identifier: Apache-2.0
import { bernoulliRef, uniformRef } from '@webxai/shaders';

/**
 * A sequential reader over the counter-based uniform stream of `seed` (@webxai/shaders'
 * Threefry `uniformRef`, the CPU reference of the random-fill kernel): value i is a pure function
 * of (seed, i), so sample matrices are identical on every path and platform.
 */
export class UniformStream {
  private buffer = new Float32Array(0);
  private position = 0;
  constructor(
    private readonly seed: number,
    private offset = 0,
  ) {}

  /** The next uniform in [0, 1). */
  next(): number {
    if (this.position >= this.buffer.length) {
      this.buffer = uniformRef(this.seed, this.offset, 4096);
      this.offset += 4096;
      this.position = 0;
    }
    return this.buffer[this.position++]!;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.min(n - 1, Math.floor(this.next() * n));
  }
}

/** `rows` x `features` Bernoulli(p) samples (row-major, 0/1 as f32) of the uniform stream of `seed`. */
export function bernoulliMatrix(seed: number, rows: number, features: number, p = 0.5): Float32Array<ArrayBuffer> {
  return bernoulliRef(seed, 0, rows * features, p);
}
