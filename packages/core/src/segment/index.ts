// SPDX-License-Identifier: Apache-2.0
export { segment, type Segmentation, type SegmentOptions, type SlicOptions, type ValueRange } from './segment.js';
export { felzenszwalb, type FelzenszwalbOptions } from './felzenszwalb.js';
export { quickshift, type QuickshiftOptions } from './quickshift.js';
export { enforceConnectivity, compactLabels } from './connectivity.js';
