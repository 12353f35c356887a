// SPDX-License-Identifier: Apache-2.0
export * from './sign.ref.js';
export * from './luts.js';
export { magnitudeMax } from './magnitude-max.kernel.js';
export { magnitudeMaxRef } from './magnitude-max.ref.js';
export { magnitudeHistogram } from './magnitude-histogram.kernel.js';
export { magnitudeHistogramRef } from './magnitude-histogram.ref.js';
export * from './percentile.js';
export { colormapApply } from './colormap-apply.kernel.js';
export { colormapApplyRef, colormapIndexRef, colormapScale } from './colormap-apply.ref.js';
export { topkMask } from './topk-mask.kernel.js';
export { topkMaskRef, MASK_OUTSIDE, MASK_INSIDE, MASK_CONTOUR } from './topk-mask.ref.js';
export { heatmapBlend } from './heatmap-blend.kernel.js';
export { heatmapBlendRef, blendOutputWidth, BLEND_MODE_CODE, type BlendMode } from './heatmap-blend.ref.js';
export * from './heatmap-renderer.js';
export { presentPixels } from './present.js';
