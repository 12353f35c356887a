// SPDX-License-Identifier: Apache-2.0
export { PATH_POINT_WORDS, packPathPlan, pathPlanLength, roundedPlan, type PathPlan } from './path-plan.js';
export { igPathPoints } from './ig-path-points.kernel.js';
export { igPathPointsRef, checkPathBatch, type PathBatch } from './ig-path-points.ref.js';
export { igAccumulate, pathBatchImages } from './ig-accumulate.kernel.js';
export { igAccumulateRef } from './ig-accumulate.ref.js';
