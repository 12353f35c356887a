// SPDX-License-Identifier: Apache-2.0
export { lime, limeWeights, LIME_SEGMENTATION, type LimeOptions, type LimeResult } from './lime.js';
