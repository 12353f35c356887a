// SPDX-License-Identifier: Apache-2.0
/** CAM methods (pytorch-grad-cam's family) with automatic target-layer discovery. */
export { gradCam, gradCamPlusPlus, xGradCam, hiResCam, layerCam, eigenCam, scoreCam, ablationCam } from './methods.js';
export type { CamOptions, BatchedCamOptions, CamResult, CamMethodName, EigenSignConvention } from './types.js';
export { listLayers, type ListLayersOptions, type LayerSpec } from '../model/split/list-layers.js';
export type { LayerInfo, LayerKind } from '../model/split/types.js';
