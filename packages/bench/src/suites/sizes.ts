// SPDX-License-Identifier: Apache-2.0
/** Values in one ImageNet-sized image (224 x 224 x 3). */
export const IMAGE_VALUES = 224 * 224 * 3;

/** Images per batch: 64 in full mode (9.6M values, 38.5 MB of f32), 1 in --quick mode. */
export function batchImages(quick: boolean): number {
  return quick ? 1 : 64;
}

export function batchLabel(images: number): string {
  return `${images}x224x224x3`;
}
