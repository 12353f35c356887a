// SPDX-License-Identifier: Apache-2.0
/**
 * @webxai/shaders/parity — kernels' parity checks against their CPU references, runnable on any
 * device: the Node tests (Dawn) and the browser tests (Chromium) run the same cases through these.
 */
export * from './fft/fft-parity.js';
