// SPDX-License-Identifier: Apache-2.0

/** A label map of square cells `cell` pixels wide (row-major, labels row by row): LIME's features for both sides. */
export function gridSegments(height: number, width: number, cell: number): Int32Array {
  const across = Math.ceil(width / cell);
  return Int32Array.from(
    { length: height * width },
    (_, p) => Math.floor(Math.floor(p / width) / cell) * across + Math.floor((p % width) / cell),
  );
}
