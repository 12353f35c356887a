// SPDX-License-Identifier: Apache-2.0
export {
  DEFAULT_RUN_INPUT_BYTES,
  defaultMaxBatch,
  fromOnnx,
  nhwcToNchw,
  type FromOnnxOptions,
  type OnnxModel,
  type OnnxSessionLike,
  type OnnxTensorConstructor,
} from './from-onnx.js';
