// SPDX-License-Identifier: Apache-2.0

/** Default images per model call: about 64 MB of input, between 1 and 64. */
export function defaultBatchSize(height: number, width: number, channels: number): number {
  return Math.max(1, Math.min(64, Math.floor((64 * 2 ** 20) / (height * width * channels * 4))));
}
