// SPDX-License-Identifier: Apache-2.0
import type { LayerKind } from './types.js';

const LAYER_KINDS: Readonly<Record<string, LayerKind>> = {
  Conv2D: 'conv',
  DepthwiseConv2D: 'conv',
  SeparableConv2D: 'conv',
  Conv2DTranspose: 'conv',
  Activation: 'activation',
  ReLU: 'activation',
  LeakyReLU: 'activation',
  PReLU: 'activation',
  ELU: 'activation',
  ThresholdedReLU: 'activation',
  Softmax: 'activation',
  Add: 'add',
  Concatenate: 'concat',
  Multiply: 'multiply',
  MaxPooling2D: 'pool',
  AveragePooling2D: 'pool',
  GlobalAveragePooling2D: 'pool',
  GlobalMaxPooling2D: 'pool',
  BatchNormalization: 'normalization',
  LayerNormalization: 'normalization',
  Dense: 'dense',
  Flatten: 'reshape',
  Reshape: 'reshape',
  ZeroPadding2D: 'reshape',
  Cropping2D: 'reshape',
  UpSampling2D: 'reshape',
  Sequential: 'model',
  Functional: 'model',
  Model: 'model',
};

const OP_KINDS: Readonly<Record<string, LayerKind>> = {
  Conv2D: 'conv',
  _FusedConv2D: 'conv',
  DepthwiseConv2dNative: 'conv',
  FusedDepthwiseConv2dNative: 'conv',
  Conv2DBackpropInput: 'conv',
  Relu: 'activation',
  Relu6: 'activation',
  Elu: 'activation',
  Selu: 'activation',
  LeakyRelu: 'activation',
  Prelu: 'activation',
  Sigmoid: 'activation',
  Tanh: 'activation',
  Softmax: 'activation',
  Add: 'add',
  AddV2: 'add',
  AddN: 'add',
  BiasAdd: 'add',
  ConcatV2: 'concat',
  Concat: 'concat',
  Mul: 'multiply',
  MaxPool: 'pool',
  AvgPool: 'pool',
  Mean: 'pool',
  Max: 'pool',
  FusedBatchNorm: 'normalization',
  FusedBatchNormV3: 'normalization',
  MatMul: 'dense',
  _FusedMatMul: 'dense',
  Reshape: 'reshape',
  Pad: 'reshape',
  PadV2: 'reshape',
  Squeeze: 'reshape',
};

/** Kind of a tfjs-layers layer from its class name. */
export function layerKind(className: string): LayerKind {
  return LAYER_KINDS[className] ?? 'other';
}

/** Kind of a GraphModel node from its op. */
export function opKind(op: string): LayerKind {
  return OP_KINDS[op] ?? 'other';
}
