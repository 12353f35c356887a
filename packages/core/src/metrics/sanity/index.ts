// SPDX-License-Identifier: Apache-2.0
export {
  cascadingRandomisation,
  type CascadingRandomisationOptions,
  type CascadingRandomisationResult,
  type RandomisationStep,
} from './cascading-randomisation.js';
export { labelRandomisation, type LabelRandomisationOptions, type LabelRandomisationResult } from './label-randomisation.js';
export type { ExplainSpec } from './compare-maps.js';
