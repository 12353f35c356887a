// SPDX-License-Identifier: Apache-2.0
export { anchors, ANCHORS_SEGMENTATION, type AnchorsOptions, type AnchorsResult } from './anchors.js';
export { klBernoulli, lowerBernoulli, upperBernoulli, klucbBeta } from './kl-bounds.js';
