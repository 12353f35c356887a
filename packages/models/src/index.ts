// SPDX-License-Identifier: Apache-2.0
/** @webxai/models — small trained models and sample data shipped in the package (no downloads). */
export { loadMnistCnn, mnistSamples, mnistCnnAccuracy, MNIST_LABELS } from './mnist/index.js';
export * from './shapes/index.js';
