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
  /** [[C, S], [-S, C]] over columns, c_v-weighted for the half spectrum: [2 W', 2 w]. */
  readonly columns?: tf.Tensor2D;
  /** [C, -S] over rows: [h, 2 h]. */
  readonly rows?: tf.Tensor2D;
  /** Normalised colour mixing, transposed for x @ M: [3, 3]. */
  readonly colour?: tf.Tensor2D;
}

/** The tables of a parametrisation for `count` images of `[h, w, c]` (c = 1 or 3). */
export function imageBasis(kind: Parametrisation, count: number, size: readonly [number, number, number]): ImageBasis {
  const [h, w, c] = size;
  const colour = c === 3 ? colourMatrix() : undefined;
  if (kind === 'pixel') return { kind, count, size, ...(colour ? { colour } : {}) };
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
  const columns = new Float32Array(2 * W * 2 * w);
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
    columns: tf.tensor2d(columns, [2 * W, 2 * w]),
    rows: tf.tensor2d(rows, [h, 2 * h]),
    ...(colour ? { colour } : {}),
  };
}

function colourMatrix(): tf.Tensor2D {
  const norm = Math.max(...[0, 1, 2].map((j) => Math.hypot(...COLOUR_CORRELATION_SQRT.map((row) => row[j]!))));
  // x @ M with M = (C / norm)^T mixes the three decorrelated planes into RGB.
  return tf.tidy(() => tf.transpose(tf.div(tf.tensor2d(COLOUR_CORRELATION_SQRT), norm)) as tf.Tensor2D);
}

export function disposeBasis(basis: ImageBasis): void {
  tf.dispose([basis.spectrumScale, basis.columns, basis.rows, basis.colour].filter((t): t is tf.Tensor2D => t !== undefined));
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
    const b = tf.matMul(tf.reshape(scaled, [count * c * h, halves]), basis.columns!);
    // Stack B1 over B2 per plane, planes side by side: [2h, count c w].
    const stacked = tf.reshape(tf.transpose(tf.reshape(b, [count * c, h, 2, w]), [2, 1, 0, 3]), [2 * h, count * c * w]);
    // One more table product gives the planes: [h, count, c, w] -> [count, h, w, c]. The factor 1/4
    // keeps the start close to grey (as Lucid's).
    const x = tf.mul(tf.matMul(basis.rows!, stacked), 0.25);
    planes = tf.transpose(tf.reshape(x, [h, count, c, w]), [1, 0, 3, 2]) as tf.Tensor4D;
  }
  const mixed = basis.colour ? tf.reshape(tf.matMul(tf.reshape(planes, [count * h * w, 3]), basis.colour), [count, h, w, 3]) : planes;
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
  const gPlanes = basis.colour
    ? tf.reshape(tf.matMul(tf.reshape(gMixed, [count * h * w, 3]), basis.colour, false, true), [count, h, w, c])
    : gMixed;
  if (basis.kind === 'pixel') return gPlanes;
  // Reverse of toImage's steps; both of its transposes ([1, 0, 3, 2] and [2, 1, 0, 3]) are their own inverse.
  const gX = tf.reshape(tf.transpose(gPlanes, [1, 0, 3, 2]), [h, count * c * w]);
  const gStacked = tf.mul(tf.matMul(basis.rows!, gX, true, false), 0.25);
  const gB = tf.reshape(tf.transpose(tf.reshape(gStacked, [2, h, count * c, w]), [2, 1, 0, 3]), [count * c * h, 2 * w]);
  const gScaled = tf.matMul(gB, basis.columns!, false, true);
  return tf.mul(tf.reshape(gScaled, [count * c, h, 2 * halfWidth(w)]), basis.spectrumScale!);
}
