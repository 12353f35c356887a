// SPDX-License-Identifier: Apache-2.0
/** Tiny models built in code with seeded weights (no downloads): the test zoo. Needs @tensorflow/tfjs. */
export { tinyCnn, tinyCnnWeights, disposeWeights, linearModel, type TinyCnnSpec, type TinyCnnWeights } from './tiny-cnn.js';
export { tinyCnnGraphModel } from './graph-model.js';
export { identityFeatureModel } from './identity-features.js';
export { seededKernel, seededBias, seededKernelValues, seededBiasValues } from './weights.js';
export { segmentLinearModel, type SegmentLinearModel } from './segment-linear.js';
export { resnet50, seededLayers, type ImageNetSpec } from './resnet50.js';
export { mobileNetV2 } from './mobilenet-v2.js';
export { tinyCnnOnnx } from './tiny-cnn-onnx.js';
export { mobileNetV2Onnx, type MobileNetV2OnnxSpec } from './mobilenet-v2-onnx.js';
export { maxPoolCnn, flatRegionImage } from './max-pool-cnn.js';
export { countedModel, type CountedModel } from './counted-model.js';
export { quadrantModel, cornerImages } from './quadrant-model.js';
