// SPDX-License-Identifier: Apache-2.0
// Compatibility re-exports for code written against the old perturbation validators (metrics):
// the validators themselves live once, in api/options.ts.
export { integerOption as intOption, numberOption, pairOption, seedOption } from '../../api/options.js';
export { defaultBatchSize } from './batch-size.js';
