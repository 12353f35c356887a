// SPDX-License-Identifier: Apache-2.0
export {
  listLayers,
  modelLayers,
  resolveLayers,
  hasSpatialOutput,
  type ListLayersOptions,
  type LayerSpec,
  type ModelLayers,
} from './list-layers.js';
export type { LayerInfo, LayerKind, ModelSplit, HeadOutput, SplitContext } from './types.js';
export type { KeyedLayer } from './layers-program.js';
