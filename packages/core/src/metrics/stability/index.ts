// SPDX-License-Identifier: Apache-2.0
export { stability, type StabilityOptions, type StabilityResult } from './stability.js';
export { compareModels, type CompareModelsOptions, type CompareModelsResult } from './compare-models.js';
