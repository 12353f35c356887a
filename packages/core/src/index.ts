// SPDX-License-Identifier: Apache-2.0
/** @webxai/core — explainers, model adapters, metrics and tfjs interop. */
export * from './interop/tfjs-webgpu.js';
export {
  XaiError,
  WebGPUUnavailableError,
  DeviceLostError,
  GpuValidationError,
  ShapeMismatchError,
  UnsupportedModelError,
  AbortedError,
  type XaiErrorCode,
} from '@webxai/shaders';
