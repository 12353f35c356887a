// SPDX-License-Identifier: Apache-2.0
export { slicFeatures, slicAssignSum, slicUpdate, slicSumsLength } from './slic.kernel.js';
export { slicFeaturesRef } from './slic-features.ref.js';
export { slicAssignRef, slicColumnSumsRef, slicUpdateRef, slicRef } from './slic.ref.js';
export { slicPlan, SLIC_COLOR_WEIGHT, type SlicPlan } from './slic-plan.js';
export { slicLabels, type SlicLabelsOptions } from './slic.js';
export { quickshiftDensity, quickshiftParent } from './quickshift.kernel.js';
export { quickshiftDensityRef, quickshiftParentRef, type QuickshiftGeometry } from './quickshift.ref.js';
