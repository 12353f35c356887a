// SPDX-License-Identifier: Apache-2.0
// The image parametrisations of feature visualisation (Olah, Mordvintsev & Schubert, "Feature
// Visualization", Distill 2017, "The Enemy of Feature Visualization" / "Preconditioning"):
// - 'fourier': the optimised variables are the real and imaginary parts of each colour plane's
//   half spectrum, scaled by 1 / frequency, so gradient steps change low frequencies as much as
//   high ones (a decorrelated, whitened basis); the plane is its 2-D inverse real DFT.
// - colour decorrelation: the three planes are mixed by the square root of ImageNet's colour
//   correlation matrix, so they are roughly independent channels.
// - 'pixel': plain pixels (no preconditioning), for comparison.
// The value then goes through a sigmoid into [0, 1]. Two implementations of the same maths:
// - tfjs ops (toImage / imageVjp): the inverse DFT as two matrix products with cos / sin tables
//   (exact, differentiable by tfjs; the rows' one folded by output parity, see dft-tables.ts).
//   The cpu backend's path, and webgpu's for sizes whose FFT needs a prime factor above 7.
// - WGSL kernels on webgpu (fourier-fft.ts): FFTs with the scale, mix and sigmoid fused in.
// renderImage / variablesGradient run whichever the basis was made for.
import * as tf from '@tensorflow/tfjs';
import { hasFourierPlan } from '@webxai/shaders';
import { disposeFourierFft, fftImage, fftImageVjp, fourierFft, type FourierFft } from './fourier-fft.js';
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
  /** The inverse DFT's tables (see dft-tables.ts), for the tfjs-op path. */
  readonly tables?: DftTables;
  /** The FFT kernels' resources, for the webgpu kernel path (then there are no `tables`). */
  readonly fft?: FourierFft;
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

/** Options of {@link imageBasis}. */
export interface ImageBasisOptions {
  /**
   * Render 'fourier' images with the WGSL FFT kernels (only on the webgpu backend: the caller's
   * path is 'gpu'); sizes whose FFT needs a prime factor above 7 keep the table products.
   */
  readonly fft?: boolean;
}

/** The tables of a parametrisation for `count` images of `[h, w, c]` (c = 1 or 3). */
export function imageBasis(
  kind: Parametrisation,
  count: number,
  size: readonly [number, number, number],
  options: ImageBasisOptions = {},
): ImageBasis {
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
  const factor = 0.25 / Math.sqrt(h * w);
  const spectrumScale = tf.tensor2d(scale, [h, 2 * W]);
  if (options.fft && hasFourierPlan(h, w)) {
    const mix = c === 3 ? [0, 1, 2].flatMap((i) => [0, 1, 2].map((j) => colourMix(i, j))) : [1];
    const fft = fourierFft({ images: count, channels: c === 3 ? 3 : 1, height: h, width: w, factor, mix });
    return { kind, count, size, spectrumScale, fft, ...colour };
  }
  return { kind, count, size, spectrumScale, tables: dftTables(h, w, factor), ...colour };
}

/** M[i][j] = C[j][i] / norm, the normalised colour mix (x @ M mixes the planes into RGB). */
function colourMix(i: number, j: number): number {
  const norm = Math.max(...[0, 1, 2].map((k) => Math.hypot(...COLOUR_CORRELATION_SQRT.map((row) => row[k]!))));
  return COLOUR_CORRELATION_SQRT[j]![i]! / norm;
}

/** M = (C / norm)^T's rows and columns as rank-4 tensors of size 3 along `axis` (made once per basis). */
function colourTables(axis: ChannelAxis): { colourRows: tf.Tensor4D[]; colourColumns: tf.Tensor4D[] } {
  const m = colourMix;
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
  if (basis.fft) disposeFourierFft(basis.fft);
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
  const gMixed = tf.mul<tf.Tensor4D>(imageGradient, tf.mul(image, tf.sub(1, image)));
  if (basis.kind === 'fourier') return fourierPlanesVjp(basis, gMixed);
  return basis.colourColumns ? mixChannels(gMixed, basis.colourColumns, 3) : gMixed;
}

/**
 * {@link toImage} on the basis's own path (the FFT kernels when it has them). A new tensor; the
 * variables are not disposed.
 */
export async function renderImage(basis: ImageBasis, variables: tf.Tensor): Promise<tf.Tensor4D> {
  return basis.fft ? fftImage(basis.fft, basis.spectrumScale!, variables) : tf.tidy(() => toImage(basis, variables));
}

/** {@link imageVjp} on the basis's own path (the FFT kernels when it has them). A new tensor; inputs not disposed. */
export async function variablesGradient(basis: ImageBasis, image: tf.Tensor4D, imageGradient: tf.Tensor4D): Promise<tf.Tensor> {
  return basis.fft
    ? fftImageVjp(basis.fft, basis.spectrumScale!, image, imageGradient)
    : tf.tidy(() => imageVjp(basis, image, imageGradient));
}

/** The tables of the tfjs-op path (a basis made for the FFT kernels has none: use renderImage / variablesGradient). */
function tablesOf(basis: ImageBasis): DftTables {
  if (!basis.tables) throw new Error('parametrisation: this basis renders with the FFT kernels (renderImage / variablesGradient)');
  return basis.tables;
}

/** The Fourier parametrisation's colour-mixed planes [count, h, w, c] (before the sigmoid). */
function fourierPlanes(basis: ImageBasis, variables: tf.Tensor): tf.Tensor4D {
  const [h, w, c] = basis.size;
  const scaled = tf.mul<tf.Tensor3D>(variables, basis.spectrumScale!);
  const planes = tf.reshape<tf.Rank.R4>(inverseRealDft(tablesOf(basis), scaled, w), [basis.count, c, h, w]);
  const mixed = basis.colourRows ? mixChannels(planes, basis.colourRows, 1) : planes;
  return tf.transpose(mixed, [0, 2, 3, 1]);
}

/** The adjoint of {@link fourierPlanes}: mixed planes' gradient [count, h, w, c] -> variables' gradient. */
function fourierPlanesVjp(basis: ImageBasis, gMixed: tf.Tensor4D): tf.Tensor {
  const [h, w, c] = basis.size;
  const gChannelsFirst = tf.transpose(gMixed, [0, 3, 1, 2]);
  const gPlanes = basis.colourColumns ? mixChannels(gChannelsFirst, basis.colourColumns, 1) : gChannelsFirst;
  const gByPlane = tf.reshape<tf.Rank.R3>(gPlanes, [basis.count * c, h, w]);
  return tf.mul(inverseRealDftVjp(tablesOf(basis), gByPlane), basis.spectrumScale!);
}
