// SPDX-License-Identifier: Apache-2.0
export { rankedMasks } from './ranked-masks.kernel.js';
export { rankedMasksRef, changedPixels, type RankedMode } from './ranked-masks.ref.js';
