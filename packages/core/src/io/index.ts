// SPDX-License-Identifier: Apache-2.0
/**
 * @webxai/core/io — loading and feeding models, shared by the browser demo and the CLI (no Node-only
 * imports here: file-system loading lives in @webxai/cli).
 */
export { detectModelFormat, loadTfjsModel, modelImageShape, type LoadedTfjsModel, type TfjsModelFormat } from './model-json.js';
export { parseTeachableMachineMetadata, TEACHABLE_MACHINE_INPUT, type TeachableMachineMetadata } from './teachable-machine.js';
export {
  isPreprocessPreset,
  PREPROCESS_DESCRIPTIONS,
  PREPROCESS_PRESETS,
  presetAffine,
  preprocessFunction,
  type ChannelAffine,
  type PreprocessPreset,
} from './preprocess.js';
export { resizeGeometry, RESIZE_MODES, type PixelRect, type ResizeGeometry, type ResizeMode } from './resize-geometry.js';
