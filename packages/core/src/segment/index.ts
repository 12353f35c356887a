// SPDX-License-Identifier: Apache-2.0
export { segment, type Segmentation, type SegmentOptions, type SlicOptions, type SlicPlacement, type ValueRange } from './segment.js';
export { SLIC_HOST_MAX_PIXELS } from './slic-placement.js';
export { felzenszwalb, type FelzenszwalbOptions } from './felzenszwalb.js';
export { quickshift, type QuickshiftOptions } from './quickshift.js';
export { enforceConnectivity, compactLabels } from './connectivity.js';
