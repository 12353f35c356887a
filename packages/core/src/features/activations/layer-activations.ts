// SPDX-License-Identifier: Apache-2.0
import * as tf from '@tensorflow/tfjs';
import { InvalidOptionError, throwIfAborted } from '@webxai/shaders';
import { currentPath } from '../../api/explainer.js';
import { checkOptionNames, type OptionNames } from '../../api/option-names.js';
import { toInputBatch } from '../../api/input.js';
import type { ExecutionPath } from '../../api/types.js';
import { adaptModel } from '../../model/adapt.js';
import { modelLayers, resolveLayers } from '../../model/split/list-layers.js';
import type { LayerInfo } from '../../model/split/types.js';
import type { ModelInput } from '../../model/types.js';
import { collectActivations } from './collect.js';
import { tileChannels, type MosaicGrid } from './mosaic.js';

/** Options of {@link layerActivations}. */
export interface LayerActivationsOptions {
  /** One layer: a name from `listLayers` (nested `outer/inner`, GraphModel node names) or 'auto' (the last). Default 'auto'. */
  readonly layer?: string;
  /** Several layers (one forward pass for all), or 'all' of `listLayers`. Not together with `layer`. */
  readonly layers?: readonly string[] | 'all';
  /** Order the mosaic's tiles by mean activation, highest first (default false: channel order). */
  readonly sort?: boolean;
  /** Tiles per mosaic row (default ceil(sqrt(channels))). */
  readonly columns?: number;
  /** Pixels between tiles (default 1). */
  readonly padding?: number;
  /** Value of the gaps and empty slots (default 0). */
  readonly background?: number;
  /** Applied to the input before the model. */
  readonly preprocess?: (x: tf.Tensor4D) => tf.Tensor4D;
  readonly signal?: AbortSignal;
}

/** Every name {@link LayerActivationsOptions} has: a misspelt one is rejected, not ignored. */
export const LAYER_ACTIVATIONS_OPTION_NAMES: OptionNames<LayerActivationsOptions> = {
  layer: true,
  layers: true,
  sort: true,
  columns: true,
  padding: true,
  background: true,
  preprocess: true,
  signal: true,
};

/** One layer's activations for a batch of images. Tensors belong to the caller. */
export interface LayerActivation {
  readonly layer: string;
  readonly info: LayerInfo;
  /** Every channel: [n, h, w, channels]. */
  readonly activation: tf.Tensor4D;
  /** Mean of each channel over positions: [n, channels]. */
  readonly mean: tf.Tensor2D;
  /** One picture per image [n, rows * (h + padding) - padding, cols * (w + padding) - padding], each tile min-max normalised to [0, 1]. */
  readonly mosaic: tf.Tensor3D;
  /** `order[n][s]`: the channel shown in slot s (row-major) of image n's mosaic. */
  readonly order: number[][];
  readonly grid: MosaicGrid;
}

/** Result of {@link layerActivations}. */
export interface LayerActivationsResult {
  /** One entry per requested layer, in request order. */
  readonly layers: LayerActivation[];
  readonly path: ExecutionPath;
}

function checkInteger(name: string, value: number | undefined, min: number): void {
  if (value !== undefined && (!Number.isInteger(value) || value < min))
    throw new InvalidOptionError(`${name} must be an integer >= ${min}, got ${String(value)}`);
}

function checkOptions(options: LayerActivationsOptions): void {
  if (options.layer !== undefined && options.layers !== undefined) throw new InvalidOptionError('pass either layer or layers, not both');
  if (options.sort !== undefined && typeof options.sort !== 'boolean')
    throw new InvalidOptionError(`sort must be a boolean, got ${String(options.sort)}`);
  checkInteger('columns', options.columns, 1);
  checkInteger('padding', options.padding, 0);
  if (options.background !== undefined && !Number.isFinite(options.background))
    throw new InvalidOptionError(`background must be a finite number, got ${String(options.background)}`);
}

/** The channel shown in each slot: by descending mean, or 0..k-1. */
function slotOrder(mean: tf.Tensor2D, sort: boolean): tf.Tensor2D {
  const [n, k] = mean.shape;
  return tf.tidy(
    () => (sort ? tf.topk(mean, k, true).indices : tf.tile(tf.range(0, k, 1, 'int32').reshape([1, k]), [n, 1])) as tf.Tensor2D,
  );
}

/**
 * Every channel of one or more layers' activations for an image batch, plus a tiled mosaic per
 * image (each channel min-max normalised; optionally sorted by mean activation) for layer
 * galleries. Layers are named as for CAM (`listLayers`), in nested LayersModels and GraphModels.
 *
 * @example
 * const r = await layerActivations(model, image, { layer: 'conv1', sort: true });
 * r.layers[0].activation; // [1, 28, 28, 16]
 * r.layers[0].mosaic;     // [1, 119, 119]: 4 x 4 tiles of 28 x 28, 1-pixel gaps, values in [0, 1]
 * r.layers[0].order[0];   // [7, 2, 11, ...]: channels by mean activation
 * disposeResult(r.layers[0]);
 * @throws {UnknownLayerError} a layer that does not exist or is not a 4-D feature map (lists the valid ones).
 * @throws {UnsupportedModelError} a function or black box (no layers).
 */
export async function layerActivations(
  model: ModelInput,
  input: tf.Tensor,
  options: LayerActivationsOptions = {},
): Promise<LayerActivationsResult> {
  checkOptionNames('layerActivations', options, LAYER_ACTIVATIONS_OPTION_NAMES);
  checkOptions(options);
  throwIfAborted(options.signal, 'layerActivations');
  const adapter = adaptModel(model);
  const batch = await toInputBatch(input, adapter);
  const activations: tf.Tensor4D[] = [];
  const made: tf.Tensor[] = [];
  try {
    const [, height, width, channels] = batch.shape;
    const layers = modelLayers(adapter.source, adapter.kind === 'graph' ? { inputShape: [height, width, channels] } : {});
    const spec = options.layers === 'all' ? layers.usable.map((l) => l.name) : (options.layers ?? options.layer ?? 'auto');
    const chosen = resolveLayers(layers, spec);
    activations.push(...collectActivations(adapter.source, batch, chosen, options.preprocess));
    const path = currentPath();
    const result: LayerActivation[] = [];
    for (const [i, layer] of chosen.entries()) {
      throwIfAborted(options.signal, 'layerActivations');
      const activation = activations[i]!;
      const [, h, w, k] = activation.shape;
      const cols = options.columns ?? Math.ceil(Math.sqrt(k));
      const grid = { rows: Math.ceil(k / cols), cols, tileHeight: h, tileWidth: w, padding: options.padding ?? 1 };
      const mean = tf.mean<tf.Tensor2D>(activation, [1, 2]);
      made.push(mean);
      const order = slotOrder(mean, options.sort ?? false);
      made.push(order);
      const mosaic = await tileChannels(activation, order, grid, options.background ?? 0, path);
      made.push(mosaic);
      const rows = await order.array();
      const { name, outputShape, kind, className } = layer;
      result.push({ layer: name, info: { name, outputShape, kind, className }, activation, mean, mosaic, order: rows, grid });
      order.dispose();
    }
    return { layers: result, path };
  } catch (error) {
    tf.dispose([...activations, ...made]);
    throw error;
  } finally {
    batch.dispose();
  }
}
