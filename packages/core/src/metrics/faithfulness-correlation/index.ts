// SPDX-License-Identifier: Apache-2.0
export { faithfulnessCorrelation, randomSubsetMasks, type FaithfulnessCorrelationOptions } from './faithfulness-correlation.js';
