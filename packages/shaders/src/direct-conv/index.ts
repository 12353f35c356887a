// SPDX-License-Identifier: Apache-2.0
export {
  directConv2d,
  directConv2dFor,
  directConv2dInvocations,
  directConv2dSlide,
  DIRECT_CONV_ACTIVATIONS,
} from './direct-conv2d.kernel.js';
export type { DirectConvActivation } from './direct-conv2d.kernel.js';
export {
  directConv2dBackpropInput,
  directConv2dBackpropInputFor,
  directConv2dBackpropInputInvocations,
  directConv2dBackpropInputNarrow,
  directConv2dBackpropInputSlide,
} from './direct-conv2d-backprop-input.kernel.js';
export { activateRef, convGeometry, directConv2dBackpropInputRef, directConv2dRef } from './direct-conv2d.ref.js';
export type { DirectConvGeometry } from './direct-conv2d.ref.js';
export {
  directConv2dBackpropInputPlane,
  directConv2dBackpropInputPlaneFor,
  directConv2dBackpropInputPlaneInvocations,
  directConv2dPlane,
  directConv2dPlaneFor,
  directConv2dPlaneInvocations,
  bandRows,
  fitsBandKernel,
  fitsPlaneKernel,
  PLANE_MAX_POSITIONS,
} from './direct-conv2d-plane.kernel.js';
export type { PlaneGeometry } from './direct-conv2d-plane.kernel.js';
