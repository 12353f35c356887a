// SPDX-License-Identifier: Apache-2.0
/**
 * @webxai/shaders — WGSL compute kernels with typed descriptors and CPU references.
 * One folder per algorithm; `runtime/` holds what every kernel uses.
 */
export * from './runtime/errors.js';
export * from './runtime/device.js';
export * from './runtime/buffers.js';
export * from './runtime/dispatch.js';
export * from './runtime/kernel.js';
export * from './runtime/kernel-sync.js';
export * from './runtime/kernel-variant.js';
export * from './runtime/batch.js';
export * from './elementwise/index.js';
export * from './colormap/index.js';
export * from './reduce/index.js';
export * from './readout/index.js';
export * from './random/index.js';
export * from './integrated-gradients/index.js';
export * from './noise/index.js';
export * from './blur/index.js';
export * from './perturbation/index.js';
export * from './superpixels/index.js';
export * from './cam/index.js';
export * from './pooling/index.js';
export * from './direct-conv/index.js';
export * from './direct-depthwise/index.js';
export * from './direct-matmul/index.js';
export * from './metrics/index.js';
export * from './features/index.js';
export * from './fft/index.js';
export * from './guided-ig/index.js';
