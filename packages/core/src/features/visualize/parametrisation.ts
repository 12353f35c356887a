// SPDX-License-Identifier: Apache-2.0
// The image parametrisations of feature visualisation (Olah, Mordvintsev & Schubert, "Feature
// Visualization", Distill 2017, "The Enemy of Feature Visualization" / "Preconditioning"):
// - 'fourier': the optimised variables are the real and imaginary parts of each colour plane's
//   half spectrum, scaled by 1 / frequency, so gradient steps change low frequencies as much as
//   high ones (a decorrelated, whitened basis); the plane is its 2-D inverse real DFT.
// - colour decorrelation: the three planes are mixed by the square root of ImageNet's colour
//   correlation matrix, so they are roughly independent channels.
// - 'pixel': plain pixels (no preconditioning), for comparison.
// The value then goes through a sigmoid into [0, 1]. The inverse DFT is two matrix products with
// cos / sin tables (exact, differentiable by tfjs, and small at visualisation sizes), so no kernel
// and no adjoint are needed here.
import * as tf from '@tensorflow/tfjs';

/**
 * Square root of the colour correlation of natural (ImageNet) images, per RGB column, as published
 * with Lucid (Olah et al. 2017); columns are normalised by the largest column norm below.
 */
const COLOUR_CORRELATION_SQRT = [
  [0.26, 0.09, 0.02],
  [0.27, 0.0, -0.05],
  [0.27, -0.09, 0.03],
];

/** Initial standard deviation of the variables (Lucid's default). */
export const INIT_STD = 0.01;

/** How the optimised variables become an image. */
export type Parametrisation = 'fourier' | 'pixel';

/** Number of columns of a real DFT's half spectrum. */
const halfWidth = (w: number) => Math.floor(w / 2) + 1;

/** 2 W' (re and im columns) rounded up to a multiple of 4: the inner size of the column product. */
const paddedHalves = (w: number) => Math.ceil((2 * halfWidth(w)) / 4) * 4;

/** Shape of the variables for `count` images of `[h, w, c]`. */
export function variableShape(kind: Parametrisation, count: number, [h, w, c]: readonly [number, number, number]): number[] {
  return kind === 'fourier' ? [count * c, h, 2 * halfWidth(w)] : [count, h, w, c];
}

/** cycles / pixel of DFT index i of n (numpy fftfreq). */
const frequency = (i: number, n: number) => (i < Math.ceil(n / 2) ? i : i - n) / n;

/** Constant tensors a parametrisation needs (dispose with {@link disposeBasis}). */
export interface ImageBasis {
  readonly kind: Parametrisation;
  readonly count: number;
  readonly size: readonly [number, number, number];
  /** 1 / max(frequency, 1 / max(h, w)), for [re | im] columns: [h, 2 W']. */
  readonly spectrumScale?: tf.Tensor2D;
  /**
   * [[C, S], [-S, C]] over columns, c_v-weighted for the half spectrum, with zero rows appended up
   * to a multiple of 4: [K, 2 w], K = {@link paddedHalves}. tfjs-webgpu's matMul takes its vec4
   * program only when the inner size is a multiple of 4 (2 W' = 130 at 128 px is not; the scalar
   * program took about twice as long on lavapipe); the zero rows add exact zeros.
   */
  readonly columns?: tf.Tensor2D;
  /** `columns` transposed, [2 w, K], so that the VJP's product is not transposeB (which tfjs never runs as vec4). */
  readonly columnsT?: tf.Tensor2D;
  /** [C, -S] over rows: [h, 2 h]. */
  readonly rows?: tf.Tensor2D;
  /**
   * Normalised colour mixing M (x @ M mixes the planes into RGB) as broadcast rows: `colourRows[i]`
   * is M[i, :] as [1, 1, 1, 3], so x @ M = sum_i x[..., i] * M[i, :] (see {@link mixChannels}).
   */
  readonly colourRows?: readonly tf.Tensor4D[];
  /** The rows of M's transpose (M[:, j] as [1, 1, 1, 3]), for the VJP's g @ M^T. */
  readonly colourColumns?: readonly tf.Tensor4D[];
}

/** The tables of a parametrisation for `count` images of `[h, w, c]` (c = 1 or 3). */
export function imageBasis(kind: Parametrisation, count: number, size: readonly [number, number, number]): ImageBasis {
  const [h, w, c] = size;
  const colour = c === 3 ? colourTables() : undefined;
  if (kind === 'pixel') return { kind, count, size, ...colour };
  const W = halfWidth(w);
  const scale = new Float32Array(h * 2 * W);
  for (let u = 0; u < h; u++) {
    for (let v = 0; v < W; v++) {
      const f = Math.hypot(frequency(u, h), v / w);
      const s = 1 / Math.max(f, 1 / Math.max(h, w));
      scale[u * 2 * W + v] = s;
      scale[u * 2 * W + W + v] = s;
    }
  }
  // x[y, x] = 1/sqrt(hw) sum_u sum_v c_v Re(A[u, v] e^{2 pi i (u y / h + v x / w)}), with
  // c_v = 2 except for the DC column (and the Nyquist column of an even width), which appear once.
  const columns = new Float32Array(paddedHalves(w) * 2 * w); // rows from 2 W' on stay 0
  for (let v = 0; v < W; v++) {
    const weight = v === 0 || (w % 2 === 0 && v === w / 2) ? 1 : 2;
    for (let x = 0; x < w; x++) {
      const angle = (2 * Math.PI * v * x) / w;
      const [cv, sv] = [weight * Math.cos(angle), weight * Math.sin(angle)];
      columns[v * 2 * w + x] = cv; // re -> cos part
      columns[v * 2 * w + w + x] = sv; // re -> sin part
      columns[(W + v) * 2 * w + x] = -sv; // im -> cos part
      columns[(W + v) * 2 * w + w + x] = cv; // im -> sin part
    }
  }
  const rows = new Float32Array(h * 2 * h);
  const norm = 1 / Math.sqrt(h * w);
  for (let y = 0; y < h; y++) {
    for (let u = 0; u < h; u++) {
      const angle = (2 * Math.PI * u * y) / h;
      rows[y * 2 * h + u] = norm * Math.cos(angle);
      rows[y * 2 * h + h + u] = -norm * Math.sin(angle);
    }
  }
  return {
    kind,
    count,
    size,
    spectrumScale: tf.tensor2d(scale, [h, 2 * W]),
    columns: tf.tensor2d(columns, [paddedHalves(w), 2 * w]),
    columnsT: tf.tidy(() => tf.transpose(tf.tensor2d(columns, [paddedHalves(w), 2 * w])) as tf.Tensor2D),
    rows: tf.tensor2d(rows, [h, 2 * h]),
    ...colour,
  };
}

/** M = (C / norm)^T's rows and columns as [1, 1, 1, 3] tensors (made once per basis). */
function colourTables(): { colourRows: tf.Tensor4D[]; colourColumns: tf.Tensor4D[] } {
  const norm = Math.max(...[0, 1, 2].map((j) => Math.hypot(...COLOUR_CORRELATION_SQRT.map((row) => row[j]!))));
  // M[i][j] = C[j][i] / norm: row i of M is column i of C, column j of M is row j of C.
  const m = (i: number, j: number) => COLOUR_CORRELATION_SQRT[j]![i]! / norm;
  const broadcast = (values: number[]) => tf.tensor4d(values, [1, 1, 1, 3]);
  return {
    colourRows: [0, 1, 2].map((i) => broadcast([0, 1, 2].map((j) => m(i, j)))),
    colourColumns: [0, 1, 2].map((j) => broadcast([0, 1, 2].map((i) => m(i, j)))),
  };
}

/**
 * x @ W over the last axis of `x` [n, h, w, 3], for W given by its rows [1, 1, 1, 3]: three
 * broadcast products and two sums. Replaces a matMul with an inner and outer size of 3, which
 * tfjs-webgpu runs as its 32 x 32 tiled program (mostly padding, behind workgroup barriers that
 * software adapters emulate slowly); these elementwise programs have no barrier.
 */
function mixChannels(x: tf.Tensor4D, rows: readonly tf.Tensor4D[]): tf.Tensor4D {
  const [n, h, w] = x.shape;
  const terms = rows.map((row, i) => tf.mul(tf.slice(x, [0, 0, 0, i], [n, h, w, 1]), row));
  return tf.addN(terms) as tf.Tensor4D;
}

export function disposeBasis(basis: ImageBasis): void {
  tf.dispose([basis.spectrumScale, basis.columns, basis.columnsT, basis.rows].filter((t): t is tf.Tensor2D => t !== undefined));
  tf.dispose([...(basis.colourRows ?? []), ...(basis.colourColumns ?? [])]);
}

/**
 * The images `[count, h, w, c]` in [0, 1] that the variables stand for. Differentiable; leaves
 * intermediates (call inside tf.tidy / tf.grad).
 */
export function toImage(basis: ImageBasis, variables: tf.Tensor): tf.Tensor4D {
  const {
    count,
    size: [h, w, c],
  } = basis;
  let planes: tf.Tensor4D;
  if (basis.kind === 'pixel') {
    planes = variables as tf.Tensor4D;
  } else {
    const halves = 2 * halfWidth(w);
    // [count c, h, 2W'] -> rows of [re | im] times the column table: [count c h, 2w] = [B1 | B2].
    const scaled = tf.mul(variables, basis.spectrumScale!);
    const pad = paddedHalves(w) - halves;
    const b = tf.matMul(
      tf.pad(tf.reshape(scaled, [count * c * h, halves]), [
        [0, 0],
        [0, pad],
      ]),
      basis.columns!,
    );
    // Stack B1 over B2 per plane, planes side by side: [2h, count c w].
    const stacked = tf.reshape(tf.transpose(tf.reshape(b, [count * c, h, 2, w]), [2, 1, 0, 3]), [2 * h, count * c * w]);
    // One more table product gives the planes: [h, count, c, w] -> [count, h, w, c]. The factor 1/4
    // keeps the start close to grey (as Lucid's).
    const x = tf.mul(tf.matMul(basis.rows!, stacked), 0.25);
    planes = tf.transpose(tf.reshape(x, [h, count, c, w]), [1, 0, 3, 2]) as tf.Tensor4D;
  }
  const mixed = basis.colourRows ? mixChannels(planes, basis.colourRows) : planes;
  return tf.sigmoid(mixed) as tf.Tensor4D;
}

/**
 * The gradient with respect to the variables of `sum(imageGradient * toImage(variables))`, given
 * `image = toImage(basis, variables)` already computed: the sigmoid's derivative from `image`, then
 * the transposed tables in reverse order (the map is linear before the sigmoid). This replaces a
 * tf.grad that would run the forward table products a second time each step. Returns a new tensor;
 * leaves intermediates (call inside tf.tidy).
 */
export function imageVjp(basis: ImageBasis, image: tf.Tensor4D, imageGradient: tf.Tensor4D): tf.Tensor {
  const {
    count,
    size: [h, w, c],
  } = basis;
  const gMixed = tf.mul(imageGradient, tf.mul(image, tf.sub(1, image)));
  const gPlanes = basis.colourColumns ? mixChannels(gMixed as tf.Tensor4D, basis.colourColumns) : gMixed;
  if (basis.kind === 'pixel') return gPlanes;
  // Reverse of toImage's steps; both of its transposes ([1, 0, 3, 2] and [2, 1, 0, 3]) are their own inverse.
  const gX = tf.reshape(tf.transpose(gPlanes, [1, 0, 3, 2]), [h, count * c * w]);
  const gStacked = tf.mul(tf.matMul(basis.rows!, gX, true, false), 0.25);
  const gB = tf.reshape(tf.transpose(tf.reshape(gStacked, [2, h, count * c, w]), [2, 1, 0, 3]), [count * c * h, 2 * w]);
  const halves = 2 * halfWidth(w);
  const gScaled = tf.slice(tf.matMul(gB, basis.columnsT!), [0, 0], [count * c * h, halves]);
  return tf.mul(tf.reshape(gScaled, [count * c, h, halves]), basis.spectrumScale!);
}
