// SPDX-License-Identifier: Apache-2.0
export { noisePoints } from './noise-points.kernel.js';
export { noisePointsRef, type SampleBatch } from './noise-points.ref.js';
export { smoothGradAccumulate, type SmoothGradInner, type SmoothGradVariant } from './smoothgrad-accumulate.kernel.js';
export { smoothGradAccumulateRef } from './smoothgrad-accumulate.ref.js';
