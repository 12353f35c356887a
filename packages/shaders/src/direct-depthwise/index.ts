// SPDX-License-Identifier: Apache-2.0
export { directDepthwiseConv2d, directDepthwiseConv2dInvocations } from './direct-depthwise-conv2d.kernel.js';
export {
  directDepthwiseConv2dBackpropInput,
  directDepthwiseConv2dBackpropInputInvocations,
} from './direct-depthwise-conv2d-backprop-input.kernel.js';
export { depthwiseGeometry, directDepthwiseConv2dBackpropInputRef, directDepthwiseConv2dRef } from './direct-depthwise-conv2d.ref.js';
