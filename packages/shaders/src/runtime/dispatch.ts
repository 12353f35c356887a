// SPDX-License-Identifier: Apache-2.0
import { InvalidOptionError } from './errors.js';

/** WebGPU's guaranteed per-dimension limit (maxComputeWorkgroupsPerDimension default). */
export const MAX_WORKGROUPS_PER_DIMENSION = 65_535;

/**
 * Folds a 1-D count of workgroups into an [x, y, 1] grid with x, y <= `limit`, as even as possible
 * so that the wasted tail is smaller than one row. Kernels recover the linear index with the
 * prelude's `linearIndex` and bounds-check it.
 */
export function foldWorkgroups(count: number, limit = MAX_WORKGROUPS_PER_DIMENSION): [number, number, number] {
  if (!Number.isInteger(count) || count < 0) {
    throw new InvalidOptionError(`workgroup count must be a non-negative integer, got ${count}`);
  }
  if (count <= limit) return [count, 1, 1];
  const rows = Math.ceil(count / limit);
  const x = Math.ceil(count / rows);
  if (rows > limit) {
    throw new InvalidOptionError(`dispatch of ${count} workgroups exceeds ${limit}^2; split the work`);
  }
  return [x, rows, 1];
}
