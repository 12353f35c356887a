// SPDX-License-Identifier: Apache-2.0
export {
  FFT_STAGE_RADICES,
  fftPair,
  fftPairKernel,
  fftPairSequences,
  fftStage,
  fftStageKernel,
  fftTolerance,
  MAX_RADIX,
  MAX_STAGE_ELEMENTS,
  PLAIN_FFT_MODES,
  type FftModes,
} from './fft-stage.kernel.js';
export { fourierImageAdjoint } from './fourier-adjoint.kernel.js';
export {
  fftRadices,
  fftTwiddles,
  fourierScratchFloats,
  hasFourierPlan,
  recordFft,
  recordFourierImage,
  recordFourierImageAdjoint,
  recordAffineFourierAdjoint,
  fourierImageParams,
  pixelStride,
  type FftRun,
  type FftSequences,
  type FourierImageBuffers,
  type FourierImageShape,
  type FourierView,
  type ImageLayout,
  type SpectraForm,
} from './fft-plan.js';
export {
  dftRef,
  fftStageRef,
  fourierImageAdjointRef,
  fourierImageRef,
  hermitianExtendRef,
  hermitianSplitRef,
  inverseRealDft2dAdjointRef,
  inverseRealDft2dRef,
} from './fft.ref.js';
