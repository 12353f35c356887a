// SPDX-License-Identifier: Apache-2.0
export { kernelShap, KERNEL_SHAP_SEGMENTATION, type KernelShapOptions, type KernelShapResult } from './kernel-shap.js';
export { shapDesign, type ShapDesign } from './sampling.js';
