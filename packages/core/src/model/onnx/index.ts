// SPDX-License-Identifier: Apache-2.0
export {
  fromOnnx,
  nhwcToNchw,
  type FromOnnxOptions,
  type OnnxModel,
  type OnnxSessionLike,
  type OnnxTensorConstructor,
} from './from-onnx.js';
