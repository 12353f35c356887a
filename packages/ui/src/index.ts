// SPDX-License-Identifier: Apache-2.0
/** @webxai/ui — Lit web components. Elements register themselves on import. */
export * from './heatmap/xai-heatmap.js';
export * from './compare/xai-compare.js';
export * from './curve/xai-curve.js';
export { curveAuc, type CurveSeries } from './curve/auc.js';
export * from './shared/inputs.js';
export { formatValue, type XaiErrorDetail } from './shared/events.js';
export * from './explainer/xai-explainer.js';
export { loadModelFromUrl } from './explainer/load-model.js';
export * from './feature-grid/xai-feature-grid.js';
export type { FeatureTile } from './feature-grid/tiles.js';
