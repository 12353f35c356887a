// SPDX-License-Identifier: Apache-2.0
export {
  gaussianHalfKernel,
  packBlurPlan,
  packBlurPairPlan,
  type BlurPlan,
  type BlurPairPlan,
  type PackedBlurPlan,
  type PackedBlurPairPlan,
} from './gaussian-kernel.js';
export { gaussianBlurAxis } from './gaussian-blur-axis.kernel.js';
export { gaussianBlurAxisRef, type BlurPass } from './gaussian-blur-axis.ref.js';
export { gaussianBlurPair } from './gaussian-blur-pair.kernel.js';
export { gaussianBlurPairRef } from './gaussian-blur-pair.ref.js';
export { blurIgAccumulate } from './blur-ig-accumulate.kernel.js';
export { blurIgAccumulateRef } from './blur-ig-accumulate.ref.js';
