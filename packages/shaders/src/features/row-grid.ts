// SPDX-License-Identifier: Apache-2.0
import { MAX_WORKGROUPS_PER_DIMENSION } from '../runtime/dispatch.js';
import { InvalidOptionError } from '../runtime/errors.js';

/**
 * The grid of a kernel that runs one invocation per item of `rows` rows of `columns` items in each
 * of `images` images: [ceil(columns / workgroupSize), rows, images], the column from the
 * invocation, the row and image from the workgroup. No integer divisions split a linear index
 * (lavapipe runs vector integer division as scalar code), and the image is the same for a whole
 * workgroup (affine-sample-padded.wgsl and affine-fourier-pixel.wgsl say what each gained).
 * `kernel` and `what` (the rows' name) go into the error.
 * @throws {InvalidOptionError} rows or images past WebGPU's 65,535 workgroups per dimension.
 */
export function rowGrid(
  kernel: string,
  what: string,
  grid: { readonly images: number; readonly rows: number; readonly columns: number },
  workgroupSize: number,
): [number, number, number] {
  const { images, rows, columns } = grid;
  if (rows > MAX_WORKGROUPS_PER_DIMENSION || images > MAX_WORKGROUPS_PER_DIMENSION)
    throw new InvalidOptionError(
      `${kernel}: ${images} images of ${rows} ${what}; each must be at most ${MAX_WORKGROUPS_PER_DIMENSION} (one workgroup row per row and image): pass fewer images per call`,
    );
  return [Math.ceil(columns / workgroupSize), rows, images];
}
