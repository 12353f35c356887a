// SPDX-License-Identifier: Apache-2.0
export { xrai, xraiCandidates, type XraiOptions, type XraiResult } from './xrai.js';
export { xraiRegions, dilate, unpackMasks, type XraiRegions } from './xrai-regions.js';
