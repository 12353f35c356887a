// SPDX-License-Identifier: Apache-2.0
// The 2-D inverse real DFT of many planes as tfjs table products (tables and maths in
// dft-tables.ts), and its exact adjoint for the hand-written VJP. Layouts, P planes of h x w:
//   spectrum [P, h, 2 W'] ([re | im] over the half spectrum's columns, as the variables store it)
//   -> [P, h, 2, Wp] (columns padded to a multiple of 4)
//   -> per row parity y2 (an even h): G = top half +/- bottom half over u, [P, 2 m] rows (u1, re|im)
//   -> rows product per parity: [2 m, 2 m] x [P, 2 m, Wp] -> [P, 2 m, Wp], rows (y1, re|im)
//   -> parities stacked after y1: [P h, 2 Wp] with rows in y order and columns [re | im]
//   -> column product: [P h, 2 Wp] x [2 Wp, w] -> planes [P, h, w].
import * as tf from '@tensorflow/tfjs';
import { halfWidth, paddedHalfWidth, rowParities, type DftTables } from './dft-tables.js';

/** Planes [P, h, w] of the scaled half spectra `spectrum` [P, h, 2 W']. Leaves intermediates (call inside tf.tidy / tf.grad). */
export function inverseRealDft(tables: DftTables, spectrum: tf.Tensor3D, w: number): tf.Tensor3D {
  const [planes, h] = spectrum.shape;
  const [W, Wp, parities] = [halfWidth(w), paddedHalfWidth(w), rowParities(h)];
  const m = h / parities;
  const split = tf.reshape<tf.Rank.R4>(spectrum, [planes, h, 2, W]);
  const padded: tf.Tensor4D =
    Wp === W
      ? split
      : tf.pad<tf.Tensor4D>(split, [
          [0, 0],
          [0, 0],
          [0, 0],
          [0, Wp - W],
        ]);
  const folded = parities === 1 ? [padded] : foldHalves(padded, m);
  const rows = folded.map((g, y2) => tf.reshape(tf.matMul(tables.rows[y2]!, tf.reshape(g, [planes, 2 * m, Wp])), [planes, m, 1, 2 * Wp]));
  const stacked = rows.length === 1 ? rows[0]! : tf.concat(rows, 2);
  return tf.reshape(tf.matMul(tf.reshape(stacked, [planes * h, 2 * Wp]), tables.columns), [planes, h, w]);
}

/**
 * The adjoint of {@link inverseRealDft}: the gradient [P, h, 2 W'] with respect to `spectrum` of
 * sum(planeGradient * planes), for planeGradient [P, h, w]. Leaves intermediates (call inside tf.tidy).
 */
export function inverseRealDftVjp(tables: DftTables, planeGradient: tf.Tensor3D): tf.Tensor3D {
  const [planes, h, w] = planeGradient.shape;
  const [W, Wp, parities] = [halfWidth(w), paddedHalfWidth(w), rowParities(h)];
  const m = h / parities;
  const gStacked = tf.reshape(tf.matMul(tf.reshape(planeGradient, [planes * h, w]), tables.columnsT), [planes, m, parities, 2 * Wp]);
  const gFolded = Array.from({ length: parities }, (_, y2) => {
    const gRows = parities === 1 ? gStacked : tf.slice(gStacked, [0, 0, y2, 0], [planes, m, 1, 2 * Wp]);
    return tf.reshape(tf.matMul(tables.rowsT[y2]!, tf.reshape(gRows, [planes, 2 * m, Wp])), [planes, m, 2, Wp]);
  });
  // The fold's adjoint: top gets g0 + g1, bottom g0 - g1.
  const [g0, g1] = gFolded;
  const gPadded = g1 === undefined ? g0! : tf.concat([tf.add(g0!, g1), tf.sub(g0!, g1)], 1);
  const gSplit = Wp === W ? gPadded : tf.slice(gPadded, [0, 0, 0, 0], [planes, h, 2, W]);
  return tf.reshape(gSplit, [planes, h, 2 * W]);
}

/** [top + bottom, top - bottom] of the two halves over axis 1 (u) of [P, 2 m, 2, Wp]. */
function foldHalves(x: tf.Tensor4D, m: number): tf.Tensor4D[] {
  const [planes, , , Wp] = x.shape;
  const top = tf.slice(x, [0, 0, 0, 0], [planes, m, 2, Wp]);
  const bottom = tf.slice(x, [0, m, 0, 0], [planes, m, 2, Wp]);
  return [tf.add(top, bottom), tf.sub(top, bottom)];
}
