// SPDX-License-Identifier: Apache-2.0
import type { PackedBlurPairPlan } from './gaussian-kernel.js';
import { gaussianBlurAxisRef, type BlurPass } from './gaussian-blur-axis.ref.js';

/**
 * CPU reference for gaussian-blur-pair.wgsl (also the CPU path): gaussianBlurAxisRef of plan a's
 * entries on `input` and of plan b's on `inputAhead` (the first pass gives the source for both).
 */
export function gaussianBlurPairRef(
  input: ArrayLike<number>,
  inputAhead: ArrayLike<number>,
  plan: PackedBlurPairPlan,
  pass: BlurPass,
): [Float32Array<ArrayBuffer>, Float32Array<ArrayBuffer>] {
  return [
    gaussianBlurAxisRef(input, plan, pass),
    gaussianBlurAxisRef(inputAhead, plan, { ...pass, firstPoint: pass.firstPoint + plan.aheadOffset }),
  ];
}
