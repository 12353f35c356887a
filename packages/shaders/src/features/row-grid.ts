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
  const limit = MAX_WORKGROUPS_PER_DIMENSION;
  if (images > limit) throw new InvalidOptionError(`${kernel}: ${images} images in one call, at most ${limit}: pass fewer images per call`);
  if (rows > limit)
    throw new InvalidOptionError(`${kernel}: ${rows} ${what} per image, at most ${limit} (one workgroup row each): use a smaller image`);
  return [Math.ceil(columns / workgroupSize), rows, images];
}
