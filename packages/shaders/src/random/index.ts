// SPDX-License-Identifier: Apache-2.0
export { threefry2x32 } from './threefry.ref.js';
export { randomFillKernels, type RandomKind } from './random-fill.kernel.js';
export {
  bernoulliRef,
  normalRef,
  uniformRef,
  uniformFromWord,
  seedWords,
  NORMAL_STREAM,
  UNIFORM_STREAM,
  RANDOM_STREAM_LENGTH,
  checkStreamRange,
} from './random-fill.ref.js';
export { normalFill } from './normal-fill.js';
export { NORMAL_TABLE } from './normal-table.js';
export { normalFromWord } from './normal-sampler.js';
export { normalUpperQuantile, normalUpperTail } from './normal-quantile.js';
export { randomBernoulli, randomNormal, randomUniform, type RandomFillOptions } from './random.js';
