// SPDX-License-Identifier: Apache-2.0
export { camMap, camMapFor, CAM_WEIGHTING_MODES, type CamWeighting } from './cam-map.kernel.js';
export { camMapRef, halfPixelSource, resizeBilinearRef, resizeBilinearInto, minMaxNormaliseRef, type CamMapShape } from './cam-map.ref.js';
export { gradientCamWeights, gradientCamWeightsFor, type KernelWeightedCam } from './gradient-cam-weights.kernel.js';
export { gradcamPpWeightsRef, xgradCamWeightsRef } from './gradient-cam-weights.ref.js';
export {
  eigenComponent,
  eigenComponentFor,
  eigenComponentWorkSize,
  EIGEN_COMPONENT_MAX_SIZE,
  EIGEN_COMPONENT_STOPPING,
  type EigenSign,
} from './eigen-component.kernel.js';
export { eigenComponentRef, signConventionRef, type EigenComponentShape } from './eigen-component.ref.js';
export { scorecamRange } from './scorecam-range.kernel.js';
export { scorecamMasks } from './scorecam-masks.kernel.js';
export { scorecamRangesRef, alignCornersSource, type ScorecamShape } from './scorecam-range.ref.js';
export { scorecamMasksRef } from './scorecam-masks.ref.js';
export { ablationBatch } from './ablation-batch.kernel.js';
export { ablationBatchRef, type AblationBatchShape } from './ablation-batch.ref.js';
export { pooledAblationWeights, pooledAblationWeightsFor } from './pooled-ablation-weights.kernel.js';
export { pooledAblationWeightsRef, ablationValueRef, type PooledAblationShape } from './pooled-ablation-weights.ref.js';
export { broadcastMean } from './broadcast-mean.kernel.js';
export { broadcastMeanRef } from './broadcast-mean.ref.js';
