// SPDX-License-Identifier: Apache-2.0
import * as tf from '@tensorflow/tfjs';
import { InvalidOptionError, UnknownLayerError, UnsupportedModelError } from '@webxai/shaders';
import type { ModelInput } from '../types.js';
import { graphProgram, splitGraphProgram } from './graph-program.js';
import { layersProgram, type KeyedLayer } from './layers-program.js';
import { splitLayersProgram, tapLayersProgram } from './layers-split.js';
import type { LayerInfo, ModelSplit, TappedModel } from './types.js';
import { describeModel } from '../adapt.js';

/** Options for {@link listLayers}. */
export interface ListLayersOptions {
  /** `[height, width, channels]` of the input; needed for GraphModels whose input size is not fixed. */
  readonly inputShape?: readonly [number, number, number];
}

/**
 * Which layer(s) a CAM method uses: a name, several names (maps averaged), or 'auto'. (A name is
 * `string & Record<never, never>`: any string, but editors still offer 'auto'; `string | 'auto'`
 * collapses to `string`.)
 */
export type LayerSpec = 'auto' | (string & Record<never, never>) | readonly string[];

/** A model's layers, analysed once per model (and input size, for GraphModels). */
export interface ModelLayers {
  /** Every layer / node the output depends on, in execution order. */
  readonly all: readonly KeyedLayer[];
  /** The ones CAM can use: 4-D output with spatial size > 1. */
  readonly usable: readonly KeyedLayer[];
  split(layer: KeyedLayer, preprocess?: (x: tf.Tensor4D) => tf.Tensor4D): ModelSplit;
  /** Several layers of a LayersModel in one pass (see TappedModel); undefined for GraphModels or layers the output does not need. */
  tap(layers: readonly KeyedLayer[], preprocess?: (x: tf.Tensor4D) => tf.Tensor4D): TappedModel | undefined;
}

const isLayersModel = (m: unknown): m is tf.LayersModel => m instanceof tf.LayersModel;
const isGraphModel = (m: unknown): m is tf.GraphModel => m instanceof tf.GraphModel;

/** 4-D `[batch, h, w, c]` with h * w > 1 (unknown sizes count as spatial). */
export function hasSpatialOutput(layer: Pick<LayerInfo, 'outputShape'>): boolean {
  const s = layer.outputShape;
  return s.length === 4 && (s[1] === null || s[2] === null || s[1]! * s[2]! > 1);
}

const cache = new WeakMap<object, Map<string, ModelLayers>>();

/**
 * Analyses a LayersModel or GraphModel once (cached per model and input size).
 * @throws {UnsupportedModelError} functions and black boxes (no layers to split at).
 */
export function modelLayers(model: ModelInput, options: ListLayersOptions = {}): ModelLayers {
  if (!isLayersModel(model) && !isGraphModel(model)) {
    const blackBox = typeof model === 'object' && model !== null && typeof (model as { predict?: unknown }).predict === 'function';
    const what = blackBox ? 'a black-box model' : describeModel(model);
    throw new UnsupportedModelError(`CAM methods read a layer's activations, so they need a tf.LayersModel or tf.GraphModel, not ${what}`);
  }
  const key = isGraphModel(model) ? JSON.stringify(options.inputShape ?? null) : '';
  let perModel = cache.get(model);
  if (!perModel) cache.set(model, (perModel = new Map<string, ModelLayers>()));
  const cached = perModel.get(key);
  if (cached) return cached;
  let result: ModelLayers;
  if (isLayersModel(model)) {
    const program = layersProgram(model);
    const usable = program.layers.filter(hasSpatialOutput);
    result = {
      all: program.layers,
      usable,
      split: (layer, pre) =>
        splitLayersProgram(
          program,
          layer,
          usable.map((l) => l.name),
          pre,
        ),
      tap: (chosen, pre) => tapLayersProgram(program, chosen, pre),
    };
  } else {
    const program = graphProgram(model, options.inputShape);
    const usable = program.layers.filter(hasSpatialOutput);
    result = {
      all: program.layers,
      usable,
      split: (layer, pre) =>
        splitGraphProgram(
          program,
          layer,
          usable.map((l) => l.name),
          pre,
        ),
      // GraphModel.execute cannot add to an intermediate node: one pass per layer.
      tap: () => undefined,
    };
  }
  perModel.set(key, result);
  return result;
}

/**
 * Candidate layers for CAM methods: every layer (LayersModel; nested models walked into, named
 * `outer/inner`) or node (GraphModel) whose output is a 4-D feature map with spatial size > 1 and
 * that the model's output depends on, in execution order. 'auto' picks the last one.
 *
 * @example
 * listLayers(model);
 * // [{ name: 'conv1', outputShape: [null, 16, 16, 8], kind: 'conv', className: 'Conv2D' },
 * //  { name: 'conv2', outputShape: [null, 16, 16, 8], kind: 'conv', className: 'Conv2D' }]
 * @throws {UnsupportedModelError} not a LayersModel / GraphModel, or a GraphModel of unknown input size without `inputShape`.
 */
export function listLayers(model: ModelInput, options: ListLayersOptions = {}): LayerInfo[] {
  return modelLayers(model, options).usable.map(({ name, outputShape, kind, className }) => ({ name, outputShape, kind, className }));
}

function findLayer(layers: ModelLayers, name: string): KeyedLayer {
  const names = layers.usable.map((l) => l.name);
  const exact = layers.all.find((l) => l.name === name) ?? layers.all.find((l) => l.name === name.replace(/:0$/, ''));
  const bySuffix = layers.all.filter((l) => l.name.endsWith(`/${name}`));
  const found = exact ?? (bySuffix.length === 1 ? bySuffix[0] : undefined);
  if (!found) {
    const why =
      bySuffix.length > 1
        ? `layer name '${name}' is ambiguous (${bySuffix.map((l) => l.name).join(', ')})`
        : `the model has no layer named '${name}'`;
    throw new UnknownLayerError(why, names);
  }
  if (!hasSpatialOutput(found)) {
    throw new UnknownLayerError(
      `layer '${found.name}' (${found.className}) outputs [${found.outputShape.map((d) => d ?? 'batch')}], not a 4-D [batch, height, width, channels] feature map with spatial size > 1`,
      names,
    );
  }
  return found;
}

/**
 * Resolves a `layer` option to layers of the model.
 * @throws {UnknownLayerError} a name that does not exist or has no spatial output (lists the candidates).
 * @throws {InvalidOptionError} a malformed option (empty array, not a string).
 */
export function resolveLayers(layers: ModelLayers, spec: LayerSpec): KeyedLayer[] {
  if (spec === 'auto') {
    const last = layers.usable[layers.usable.length - 1];
    if (!last) throw new UnknownLayerError("layer 'auto' found no layer with a 4-D output of spatial size > 1", []);
    return [last];
  }
  const names: readonly unknown[] = typeof spec === 'string' ? [spec] : Array.isArray(spec) ? spec : [spec];
  if (names.length === 0) throw new InvalidOptionError("layer must be a name, a non-empty array of names, or 'auto'");
  return names.map((name) => {
    if (typeof name !== 'string') throw new InvalidOptionError(`layer must be a name, an array of names, or 'auto'; got ${String(name)}`);
    return findLayer(layers, name);
  });
}
