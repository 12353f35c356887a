// SPDX-License-Identifier: Apache-2.0
// The cos / sin tables of the Fourier parametrisation's 2-D inverse real DFT, arranged so that the
// two table products cost half of the plain separable form (see parametrisation.ts for the data flow).
//
// Plane x[y, x] = k Re sum_u sum_v c_v A[u, v] e^{2 pi i (u y / h + v x / w)} over the half spectrum
// A (v < W' = floor(w / 2) + 1; c_v = 2 but for the DC and even-width Nyquist columns, k = norm / 4).
// 1. Rows (complex -> complex over u, for each v): R[y, v] = sum_u e^{2 pi i u y / h} A[u, v]. For an
//    even h, output rows split by parity, y = 2 y1 + y2, and the input folds first:
//    R[2 y1 + y2] = sum_{u1 < h/2} e^{2 pi i u1 (2 y1 + y2) / h} (A[u1] + (-1)^y2 A[u1 + h/2]),
//    since e^{2 pi i (u1 + h/2)(2 y1 + y2) / h} = (-1)^y2 e^{2 pi i u1 (2 y1 + y2) / h}. Each parity is a
//    complex (h/2 x h/2) product, so both together cost half of the (h x h) one; the twiddle factors
//    live in the tables, and the fold is an elementwise sum and difference.
// 2. Columns (half spectrum -> real over v, for each y): x[y, x] = k sum_v c_v (Re R cos - Im R sin).
//    This is already half of a complex product (only W' ~ w / 2 inputs, only the real part out).
// Rows first keeps every contraction on a contiguous axis: no transpose between the two products.
import * as tf from '@tensorflow/tfjs';

/** Number of columns of a real DFT's half spectrum. */
export const halfWidth = (w: number) => Math.floor(w / 2) + 1;

/**
 * The half spectrum's columns padded to a multiple of 4 (zeros): tfjs-webgpu's matMul takes its
 * vec4 program only when the inner and output sizes are multiples of 4 (the scalar one took about
 * twice as long on lavapipe); the zero columns add exact zeros.
 */
export const paddedHalfWidth = (w: number) => Math.ceil(halfWidth(w) / 4) * 4;

/** Output-row parities of the row product: 2 for an even height (folded), 1 for an odd one (plain). */
export const rowParities = (h: number) => (h % 2 === 0 ? 2 : 1);

/** The tables of one image size (dispose with {@link disposeDftTables}). */
export interface DftTables {
  /**
   * Per output-row parity y2, the complex row product as a real [2 m, 2 m] matrix (m = h / parities):
   * output index 2 y1 + part, input index 2 u1 + part (part 0 = re, 1 = im), entries of
   * e^{2 pi i u1 (p y1 + y2) / h}.
   */
  readonly rows: readonly tf.Tensor2D[];
  /** `rows` transposed, for the VJP (stored, so that no product runs transposed). */
  readonly rowsT: readonly tf.Tensor2D[];
  /** The column product [2 Wp, w]: row v of re gives k c_v cos, row Wp + v of im gives -k c_v sin; padded rows 0. */
  readonly columns: tf.Tensor2D;
  /** `columns` transposed, [w, 2 Wp], for the VJP. */
  readonly columnsT: tf.Tensor2D;
}

/** The row tables of height h, as Float32Arrays (see {@link DftTables.rows}). */
function rowTableValues(h: number): Float32Array[] {
  const parities = rowParities(h);
  const m = h / parities;
  return Array.from({ length: parities }, (_, y2) => {
    const table = new Float32Array(4 * m * m);
    for (let y1 = 0; y1 < m; y1++) {
      for (let u1 = 0; u1 < m; u1++) {
        const angle = (2 * Math.PI * ((u1 * (parities * y1 + y2)) % h)) / h;
        const [c, s] = [Math.cos(angle), Math.sin(angle)];
        const [re, im] = [2 * y1 * 2 * m, (2 * y1 + 1) * 2 * m]; // starts of the output rows
        table[re + 2 * u1] = c; // re <- re
        table[re + 2 * u1 + 1] = -s; // re <- im
        table[im + 2 * u1] = s; // im <- re
        table[im + 2 * u1 + 1] = c; // im <- im
      }
    }
    return table;
  });
}

/** The column table of width w with the plane factor `k` folded in (see {@link DftTables.columns}). */
function columnTableValues(w: number, k: number): Float32Array {
  const [W, Wp] = [halfWidth(w), paddedHalfWidth(w)];
  const table = new Float32Array(2 * Wp * w); // rows W..Wp-1 and Wp+W..2Wp-1 stay 0
  for (let v = 0; v < W; v++) {
    const weight = k * (v === 0 || (w % 2 === 0 && v === w / 2) ? 1 : 2);
    for (let x = 0; x < w; x++) {
      const angle = (2 * Math.PI * ((v * x) % w)) / w;
      table[v * w + x] = weight * Math.cos(angle);
      table[(Wp + v) * w + x] = -weight * Math.sin(angle);
    }
  }
  return table;
}

/** The tables for planes of h x w, scaled by `k`. */
export function dftTables(h: number, w: number, k: number): DftTables {
  const size = (2 * h) / rowParities(h);
  const rows = rowTableValues(h).map((values) => tf.tensor2d(values, [size, size]));
  const columns = tf.tensor2d(columnTableValues(w, k), [2 * paddedHalfWidth(w), w]);
  return {
    rows,
    rowsT: rows.map((t) => tf.transpose(t)),
    columns,
    columnsT: tf.transpose(columns),
  };
}

/** Frees the tensors of {@link dftTables}. */
export function disposeDftTables(tables: DftTables): void {
  tf.dispose([...tables.rows, ...tables.rowsT, tables.columns, tables.columnsT]);
}
