// SPDX-License-Identifier: Apache-2.0
/** Perturbation explainers: they only need the model's predictions, so they work with any model. */
export { occlusion, type OcclusionOptions, type OcclusionResult } from './occlusion/index.js';
export { rise, riseSamples, type RiseOptions, type RiseResult } from './rise/index.js';
