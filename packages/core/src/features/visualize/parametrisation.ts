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
// cos / sin tables (exact, differentiable by tfjs, and small at visualisation sizes; the rows' one
// folded by output parity, see dft-tables.ts), so no kernel is needed here.
import * as tf from '@tensorflow/tfjs';
import { dftTables, disposeDftTables, halfWidth, type DftTables } from './dft-tables.js';
import { inverseRealDft, inverseRealDftVjp } from './inverse-dft.js';

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
  /** The inverse DFT's tables (see dft-tables.ts). */
  readonly tables?: DftTables;
  /**
   * Normalised colour mixing M (x @ M mixes the planes into RGB) as broadcast rows over the channel
   * axis: `colourRows[i]` is M[i, :] as [1, 1, 1, 3] ('pixel', images [n, h, w, c]) or [1, 3, 1, 1]
   * ('fourier', planes [n, c, h, w] before their transpose), so x @ M = sum_i x_i * M[i, :] (see
   * {@link mixChannels}).
   */
  readonly colourRows?: readonly tf.Tensor4D[];
  /** The rows of M's transpose (M[:, j], shaped as `colourRows`), for the VJP's g @ M^T. */
  readonly colourColumns?: readonly tf.Tensor4D[];
}

/** The tables of a parametrisation for `count` images of `[h, w, c]` (c = 1 or 3). */
export function imageBasis(kind: Parametrisation, count: number, size: readonly [number, number, number]): ImageBasis {
  const [h, w, c] = size;
  const colour = c === 3 ? colourTables(kind === 'pixel' ? 3 : 1) : undefined;
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
  // The factor 1/4 keeps the start close to grey (as Lucid's).
  const tables = dftTables(h, w, 0.25 / Math.sqrt(h * w));
  return { kind, count, size, spectrumScale: tf.tensor2d(scale, [h, 2 * W]), tables, ...colour };
}

/** M = (C / norm)^T's rows and columns as rank-4 tensors of size 3 along `axis` (made once per basis). */
function colourTables(axis: ChannelAxis): { colourRows: tf.Tensor4D[]; colourColumns: tf.Tensor4D[] } {
  const norm = Math.max(...[0, 1, 2].map((j) => Math.hypot(...COLOUR_CORRELATION_SQRT.map((row) => row[j]!))));
  // M[i][j] = C[j][i] / norm: row i of M is column i of C, column j of M is row j of C.
  const m = (i: number, j: number) => COLOUR_CORRELATION_SQRT[j]![i]! / norm;
  const broadcast = (values: number[]) => tf.tensor4d(values, axis === 3 ? [1, 1, 1, 3] : [1, 3, 1, 1]);
  return {
    colourRows: [0, 1, 2].map((i) => broadcast([0, 1, 2].map((j) => m(i, j)))),
    colourColumns: [0, 1, 2].map((j) => broadcast([0, 1, 2].map((i) => m(i, j)))),
  };
}

/** The channel axis of images [n, h, w, c] (3) or planes [n, c, h, w] (1). */
type ChannelAxis = 1 | 3;

/**
 * x @ W over the channel `axis` of `x`, for W given by its rows (size 3 along `axis`): three
 * broadcast products and two sums. Replaces a matMul with an inner and outer size of 3, which
 * tfjs-webgpu runs as its 32 x 32 tiled program (mostly padding, behind workgroup barriers that
 * software adapters emulate slowly); these elementwise programs have no barrier. With the channels
 * outermost (axis 1) the slices are contiguous and, for a width that is a multiple of 4, the
 * products run as vec4 (a [n, h, w, 1] x [1, 1, 1, 3] product runs one lane per element).
 */
function mixChannels(x: tf.Tensor4D, rows: readonly tf.Tensor4D[], axis: ChannelAxis): tf.Tensor4D {
  const size = x.shape.map((s, d) => (d === axis ? 1 : s));
  const terms = rows.map((row, i) =>
    tf.mul(
      tf.slice(
        x,
        [0, 1, 2, 3].map((d) => (d === axis ? i : 0)),
        size,
      ),
      row,
    ),
  );
  return tf.addN(terms) as tf.Tensor4D;
}

/** Frees the tensors of {@link imageBasis}. */
export function disposeBasis(basis: ImageBasis): void {
  basis.spectrumScale?.dispose();
  if (basis.tables) disposeDftTables(basis.tables);
  tf.dispose([...(basis.colourRows ?? []), ...(basis.colourColumns ?? [])]);
}

/**
 * The images `[count, h, w, c]` in [0, 1] that the variables stand for. Differentiable; leaves
 * intermediates (call inside tf.tidy / tf.grad).
 */
export function toImage(basis: ImageBasis, variables: tf.Tensor): tf.Tensor4D {
  if (basis.kind === 'fourier') return tf.sigmoid(fourierPlanes(basis, variables));
  const mixed = basis.colourRows ? mixChannels(variables as tf.Tensor4D, basis.colourRows, 3) : variables;
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
  const gMixed = tf.mul(imageGradient, tf.mul(image, tf.sub(1, image))) as tf.Tensor4D;
  if (basis.kind === 'fourier') return fourierPlanesVjp(basis, gMixed);
  return basis.colourColumns ? mixChannels(gMixed, basis.colourColumns, 3) : gMixed;
}

/** The Fourier parametrisation's colour-mixed planes [count, h, w, c] (before the sigmoid). */
function fourierPlanes(basis: ImageBasis, variables: tf.Tensor): tf.Tensor4D {
  const [h, w, c] = basis.size;
  const scaled = tf.mul(variables, basis.spectrumScale!) as tf.Tensor3D;
  const planes = tf.reshape(inverseRealDft(basis.tables!, scaled, w), [basis.count, c, h, w]) as tf.Tensor4D;
  const mixed = basis.colourRows ? mixChannels(planes, basis.colourRows, 1) : planes;
  return tf.transpose(mixed, [0, 2, 3, 1]);
}

/** The adjoint of {@link fourierPlanes}: mixed planes' gradient [count, h, w, c] -> variables' gradient. */
function fourierPlanesVjp(basis: ImageBasis, gMixed: tf.Tensor4D): tf.Tensor {
  const [h, w, c] = basis.size;
  const gChannelsFirst = tf.transpose(gMixed, [0, 3, 1, 2]);
  const gPlanes = basis.colourColumns ? mixChannels(gChannelsFirst, basis.colourColumns, 1) : gChannelsFirst;
  const gByPlane = tf.reshape(gPlanes, [basis.count * c, h, w]) as tf.Tensor3D;
  return tf.mul(inverseRealDftVjp(basis.tables!, gByPlane), basis.spectrumScale!);
}
