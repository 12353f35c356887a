// SPDX-License-Identifier: Apache-2.0
export { featureMosaic } from './feature-mosaic.kernel.js';
export { featureMosaicRef, mosaicSize, type FeatureMosaicShape } from './feature-mosaic.ref.js';
export { affineSample } from './affine-sample.kernel.js';
export { affineSamplePadded, affineSamplePaddedFor } from './affine-sample-padded.kernel.js';
export { affineSamplePaddedRef, padPixels, unpadPixels } from './affine-sample-padded.ref.js';
export { affineSampleAdjoint } from './affine-sample-adjoint.kernel.js';
export { affineFourierAdjoint, affineFourierAdjointFor, affineFourierAdjointInterleaved } from './affine-fourier-adjoint.kernel.js';
export { affineFourierAdjointRef } from './affine-fourier-adjoint.ref.js';
export { affineSampleRef, affineSampleAdjointRef, checkAffineSample, type AffineSampleShape } from './affine-sample.ref.js';
export { adamAscend, adamAscendQuads, recordAdamStep, type AdamAscendArgs } from './adam-ascend.kernel.js';
export { adamAscendRef, type AdamStep } from './adam-ascend.ref.js';
export { adamAscendPremix, premixFits, recordAdamPremixStep, type AdamPremixArgs } from './adam-ascend-premix.kernel.js';
export { adamAscendPremixRef, premixOf } from './adam-ascend-premix.ref.js';
