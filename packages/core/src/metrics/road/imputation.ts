// SPDX-License-Identifier: Apache-2.0
import { normalFill } from '../../random/normal-fill.js';
import { Arena } from './arena.js';
import { borderedOffset, borderedSize, GridLevel, gridShape, slotOf } from './grid-level.js';
import { EnvelopeCholesky } from './envelope-cholesky.js';
import { Multigrid } from './multigrid.js';
import { preconditionedConjugateGradients } from './pcg.js';

/** ROAD's neighbour weights: 1/6 for the 4 edge neighbours, 1/12 for the 4 diagonal ones (sum 1). */
const EDGE_WEIGHT = 1 / 6;
const CORNER_WEIGHT = 1 / 12;

/** Options of {@link noisyLinearImpute}. */
export interface ImputeOptions {
  /** Std of the Gaussian noise added to imputed values (ROAD's default 0.01). */
  readonly noise: number;
  readonly seed: number;
  /** Offset into the seed's normal stream (distinct per image and step). */
  readonly streamOffset: number;
  /**
   * Stop the solve when every channel's residual is at most this times its right-hand side's norm.
   * Default 1e-6: within ~1e-5 of the exact solution at 224x224 (measured 7.8e-6), 1,000x below
   * ROAD's noise.
   */
  readonly tolerance?: number;
  /**
   * The solve: 'direct' (EnvelopeCholesky, exact; `tolerance` does not apply), 'multigrid'
   * (conjugate gradients to `tolerance`) or, by default, {@link defaultSolver}'s.
   */
  readonly solver?: ImputeSolver;
}

export type ImputeSolver = 'direct' | 'multigrid';

/**
 * The solve that costs less for `level`: direct while the factorisation's multiply-adds per unknown
 * stay within 250 (k + 1) (one factor serves the k channels; the multigrid's work grows with k).
 * Measured (`solver-compare.mjs`, session 39; 9 MoRF fractions, warm): 28x28x1 direct 1.8 ms vs
 * multigrid 3.0 (248 per unknown), 56x56x1 12.4 vs 11.8 (642), 64x64x3 22.8 vs 36.5 (742),
 * 80x80x3 49.1 vs 45.5 (1045), 112x112x1 169 vs 56 (2514). The direct solve also warms up faster
 * in a fresh page: 28x28x1 calls 1-4 23 / 18 / 18 / 14 ms vs 62 / 17 / 18 / 5.
 */
export function defaultSolver(level: GridLevel): ImputeSolver {
  return directSolveStarts(level, undefined, new Arena({ webAssembly: false })) ? 'direct' : 'multigrid';
}

/**
 * The direct solve's envelope starts (in `arena`) when `solver` picks it, or by default when
 * defaultSolver's work limit does; else undefined (the multigrid solve). The choice and the factor's
 * first table in one walk (as two walks, ~4% of a 28x28 imputation).
 */
function directSolveStarts(level: GridLevel, solver: ImputeSolver | undefined, arena: Arena): Int32Array | undefined {
  if (solver === 'multigrid') return undefined;
  return EnvelopeCholesky.startsWithin(level, solver === 'direct' ? Infinity : 250 * (level.k + 1) * level.count, arena);
}

/**
 * ROAD's noisy linear imputation (Rong et al. 2022, "A Consistent and Efficient Evaluation Strategy
 * for Attribution Methods", ICML): every removed pixel p takes, per channel, the weighted mean of its
 * in-image 8-neighbours (weights above, renormalised by their sum W_p at borders), removed neighbours
 * included, i.e. the solution of  W_p x_p - sum_{q removed} w_pq x_q = sum_{q kept} w_pq v_q  over all
 * removed p (a symmetric positive-definite system whenever some pixel is kept, solved in f64 for
 * all channels together: directly by an envelope Cholesky factor on small images, else by conjugate
 * gradients preconditioned with a geometric multigrid cycle), plus N(0, noise^2) noise. Kept pixels
 * are unchanged. Returns the HWC image, written to `out` (a new array by default; ROAD passes one
 * per run: a new 600 kB array per call at 224x224x3 cost ~0.6 ms, the page faults of fresh memory).
 * `arena` keeps the solve's temporaries from one call to the next (ROAD passes one per run; it is
 * rewound here), a new one by default.
 */
export function noisyLinearImpute(
  image: Float32Array,
  removed: Uint8Array,
  height: number,
  width: number,
  channels: number,
  options: ImputeOptions,
  arena = new Arena(),
  out = new Float32Array(image.length),
): Float32Array {
  arena.rewind(multigridBytes(height, width, channels));
  const { level, b } = imputationSystem(image, removed, height, width, channels, arena);
  out.set(image);
  if (level.count === 0) return out;
  const x = arena.float64(level.size);
  const starts = directSolveStarts(level, options.solver, arena);
  if (starts) new EnvelopeCholesky(level, arena, starts).solve(b, x);
  else {
    startFromImage(level, image, x);
    const multigrid = new Multigrid(level, arena);
    preconditionedConjugateGradients(level, b, x, {
      tolerance: options.tolerance ?? 1e-6,
      precondition: (r, z) => multigrid.apply(r, z),
      arena,
    });
  }
  const noise = normalFill(
    options.seed,
    options.streamOffset,
    level.count * channels,
    0,
    options.noise,
    arena.float32(level.count * channels),
  );
  for (let p = 0; p < height * width; p++) {
    const u = level.shape.unknownAt[p]!;
    if (u < 0) continue;
    for (let c = 0; c < channels; c++) out[p * channels + c] = x[level.at[u]! + c]! + noise[u * channels + c]!;
  }
  return out;
}

/**
 * At least the bytes a multigrid solve of a `height` x `width` x `k` image asks its arena for
 * (every pixel removed but one: 414 per bordered cell measured at k = 3): 7 level vectors, the
 * stencils, the Galerkin products, the indices and the noise, 4/3 of it for the coarse levels. The
 * arena's block is sized to it before the first solve, so the first imputation of a ROAD run
 * already finds its arrays in the block (and its loops in WebAssembly).
 */
function multigridBytes(height: number, width: number, k: number): number {
  return (height + 2) * (width + 2) * Math.ceil((4 / 3) * (7 * 8 * k + 160));
}

/**
 * The imputation's linear system over the removed pixels (numbered in row-major order): the
 * operator as a GridLevel, W_p on the diagonal and -w_pq toward removed neighbours q, and B (a
 * vector of the level, one column per channel) the kept neighbours' weighted values.
 */
export function imputationSystem(
  image: Float32Array,
  removed: Uint8Array,
  height: number,
  width: number,
  channels: number,
  arena = new Arena(),
) {
  const shape = gridShape(height, width, (y, x) => removed[y * width + x] !== 0, arena);
  const { unknownAt } = shape;
  const stencil = arena.float64(shape.count * 9);
  const b = arena.float64(borderedSize(height, width, channels));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const u = unknownAt[y * width + x]!;
      if (u < 0) continue;
      const at = borderedOffset(y, x, width, channels);
      // W_p summed in a local in the neighbours' order (the bits of summing into the stencil).
      let diagonal = 0;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          if ((dy === 0 && dx === 0) || xx < 0 || xx >= width) continue;
          const weight = dy === 0 || dx === 0 ? EDGE_WEIGHT : CORNER_WEIGHT;
          diagonal += weight;
          const q = yy * width + xx;
          if (unknownAt[q]! >= 0) stencil[u * 9 + slotOf(dy, dx)] = -weight;
          else for (let c = 0; c < channels; c++) b[at + c]! += weight * image[q * channels + c]!;
        }
      }
      stencil[u * 9 + 4] = diagonal;
    }
  }
  return { level: new GridLevel(shape, stencil, channels, arena), b };
}

/**
 * x = the image's own values at the removed pixels: conjugate gradients' start. A photo is smooth
 * almost everywhere, so its values nearly solve the system already (the start's residual is the
 * image's weighted Laplacian at those pixels, far below B's norm) and the solve reaches its
 * tolerance in fewer iterations than from zero; it stops at the same tolerance either way.
 */
function startFromImage(level: GridLevel, image: Float32Array, x: Float64Array): void {
  const { unknownAt } = level.shape;
  const k = level.k;
  for (let p = 0; p < unknownAt.length; p++) {
    const u = unknownAt[p]!;
    if (u < 0) continue;
    for (let c = 0; c < k; c++) x[level.at[u]! + c] = image[p * k + c]!;
  }
}
