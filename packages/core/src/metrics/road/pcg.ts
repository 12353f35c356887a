// SPDX-License-Identifier: Apache-2.0
import { Arena } from './arena.js';
import type { GridLevel } from './grid-level.js';

/** Options of {@link preconditionedConjugateGradients}. */
export interface PcgOptions {
  /** Stop when every column's residual is at most this times its right-hand side's norm. */
  readonly tolerance: number;
  /** z = M^-1 r for a symmetric positive-definite M (interleaved like the vectors). */
  readonly precondition: (r: Float64Array, z: Float64Array) => void;
  /** Iteration cap; conjugate gradients in exact arithmetic needs at most one per unknown. */
  readonly maxIterations?: number;
  /** Where the recurrences' four vectors are kept (until its next rewind). Default: a new one. */
  readonly arena?: Arena;
}

/** The unknowns of the vectors: entries at[u] .. at[u] + k - 1 of each, for u < count. */
type Unknowns = Pick<GridLevel, 'count' | 'at' | 'k' | 'loops'>;

/**
 * Solves A X = B for a symmetric positive-definite A and the level's `k` right-hand sides stored
 * interleaved, as k independent preconditioned conjugate-gradient recurrences run in lockstep (each
 * stencil coefficient is read once per iteration for all of them). The vectors are the level's
 * bordered images: the recurrences touch only the unknowns' entries, the rest stay 0. `x` holds the
 * start on entry (zeros, or a previous solution) and the solution on return. Returns the iterations
 * taken.
 */
export function preconditionedConjugateGradients(
  a: Unknowns & Pick<GridLevel, 'multiply'>,
  b: Float64Array,
  x: Float64Array,
  options: PcgOptions,
): number {
  const size = b.length;
  const arena = options.arena ?? new Arena();
  const [r, z, p, q] = [arena.float64(size), arena.float64(size), arena.float64(size), arena.float64(size)];
  const v = new VectorLoops(a, arena.float64(3), x, b, r, z, p, q);
  a.multiply(x, q);
  for (let i = 0; i < size; i++) r[i] = b[i]! - q[i]!;
  const limit = v.columnDots(b, b).map((bb) => options.tolerance ** 2 * Math.max(bb, 1e-300));
  const converged = (rr: Float64Array) => rr.every((value, c) => value <= limit[c]!);
  if (converged(v.columnDots(r, r))) return 0;
  options.precondition(r, z);
  p.set(z);
  let rz = v.columnDots(r, z);
  const cap = options.maxIterations ?? 10 * a.count + 100;
  for (let iteration = 1; iteration <= cap; iteration++) {
    a.multiply(p, q);
    const pq = v.columnDots(p, q);
    const alpha = rz.map((value, c) => (pq[c]! > 0 ? value / pq[c]! : 0));
    if (converged(v.step(alpha, x, r, p, q))) return iteration;
    options.precondition(r, z);
    const next = v.columnDots(r, z);
    const beta = next.map((value, c) => (rz[c]! > 0 ? value / rz[c]! : 0));
    rz = next;
    v.nextDirection(beta, z, p);
  }
  return cap;
}

/**
 * The recurrences' vector loops on the solve's vectors (those given to the constructor): in
 * WebAssembly when the level has its loops and the vectors and `sums` (where those loops write
 * per-channel sums) are in their memory, else in JS; the same bits.
 */
class VectorLoops {
  readonly #wasm: GridLevel['loops'];

  constructor(
    private readonly a: Unknowns,
    private readonly sums: Float64Array,
    ...vectors: Float64Array[]
  ) {
    this.#wasm = a.loops?.holds(sums, ...vectors) ? a.loops : undefined;
  }

  /** x += alpha_c p_c and r -= alpha_c q_c on every unknown's entries; returns the new r_c . r_c per channel. */
  step(alpha: Float64Array, x: Float64Array, r: Float64Array, p: Float64Array, q: Float64Array): Float64Array {
    const { count, at } = this.a;
    if (!this.#wasm) return step(this.a, alpha, { x, r, p, q });
    this.#wasm.exports.step3(
      at.byteOffset,
      count,
      alpha[0]!,
      alpha[1]!,
      alpha[2]!,
      x.byteOffset,
      r.byteOffset,
      p.byteOffset,
      q.byteOffset,
      this.sums.byteOffset,
    );
    return this.sums.slice();
  }

  /** p = z + beta_c p on every unknown's entries. */
  nextDirection(beta: Float64Array, z: Float64Array, p: Float64Array): void {
    const { count, at } = this.a;
    if (!this.#wasm) return nextDirection(this.a, beta, z, p);
    this.#wasm.exports.nextDirection3(at.byteOffset, count, beta[0]!, beta[1]!, beta[2]!, z.byteOffset, p.byteOffset);
  }

  /** Per channel c: the sum over the unknowns of u_c v_c. */
  columnDots(u: Float64Array, v: Float64Array): Float64Array {
    const { count, at } = this.a;
    if (!this.#wasm) return columnDots(this.a, u, v);
    this.#wasm.exports.columnDots3(at.byteOffset, count, u.byteOffset, v.byteOffset, this.sums.byteOffset);
    return this.sums.slice();
  }
}

/**
 * x += alpha_c p_c and r -= alpha_c q_c on every unknown's entries; returns the new r_c . r_c per
 * channel. Channel by channel, so the sums stay in registers (a per-channel array element written
 * per unknown cost 2x in V8).
 */
function step(a: Unknowns, alpha: Float64Array, v: { x: Float64Array; r: Float64Array; p: Float64Array; q: Float64Array }): Float64Array {
  const { count, at, k } = a;
  const { x, r, p, q } = v;
  const rr = new Float64Array(k);
  for (let c = 0; c < k; c++) {
    const alphaC = alpha[c]!;
    let sum = 0;
    for (let u = 0; u < count; u++) {
      const i = at[u]! + c;
      x[i] = x[i]! + alphaC * p[i]!;
      const residual = r[i]! - alphaC * q[i]!;
      r[i] = residual;
      sum += residual * residual;
    }
    rr[c] = sum;
  }
  return rr;
}

/** p = z + beta_c p on every unknown's entries. */
function nextDirection(a: Unknowns, beta: Float64Array, z: Float64Array, p: Float64Array): void {
  const { count, at, k } = a;
  for (let c = 0; c < k; c++) {
    const betaC = beta[c]!;
    for (let u = 0; u < count; u++) {
      const i = at[u]! + c;
      p[i] = z[i]! + betaC * p[i]!;
    }
  }
}

/** Per channel c: the sum over the unknowns of u_c v_c (channel by channel, as step). */
function columnDots(a: Unknowns, u: Float64Array, v: Float64Array): Float64Array {
  const { count, at, k } = a;
  const sums = new Float64Array(k);
  for (let c = 0; c < k; c++) {
    let sum = 0;
    for (let e = 0; e < count; e++) sum += u[at[e]! + c]! * v[at[e]! + c]!;
    sums[c] = sum;
  }
  return sums;
}
