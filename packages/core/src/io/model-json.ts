// SPDX-License-Identifier: Apache-2.0
import * as tf from '@tensorflow/tfjs';
import { UnsupportedModelError } from '@webxai/shaders';

/** The two tfjs model formats a `model.json` can hold. */
export type TfjsModelFormat = 'layers-model' | 'graph-model';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Tells a tfjs LayersModel from a GraphModel by the contents of its `model.json` (or of loaded
 * `ModelArtifacts`): the `format` field when present, else the topology's shape (a Keras config has
 * `class_name` / `model_config`; a TF GraphDef has a `node` list). Works on the parsed JSON, so the
 * browser and Node share it.
 * @throws {UnsupportedModelError} when it is neither, naming what was found.
 * @example
 * detectModelFormat({ format: 'graph-model', modelTopology: { node: [] } }); // 'graph-model'
 * detectModelFormat({ modelTopology: { class_name: 'Sequential', config: {} } }); // 'layers-model'
 */
export function detectModelFormat(modelJson: unknown): TfjsModelFormat {
  if (!isRecord(modelJson)) {
    throw new UnsupportedModelError(
      `model.json: expected a JSON object, got ${modelJson === null ? 'null' : Array.isArray(modelJson) ? 'an array' : typeof modelJson}`,
    );
  }
  const { format, modelTopology } = modelJson;
  if (format === 'layers-model' || format === 'graph-model') return format;
  if (isRecord(modelTopology)) {
    if (Array.isArray(modelTopology.node)) return 'graph-model';
    if ('class_name' in modelTopology || 'model_config' in modelTopology) return 'layers-model';
  }
  const keys = Object.keys(modelJson).join(', ') || 'no keys';
  throw new UnsupportedModelError(
    `model.json is neither a tfjs layers model nor a graph model (format: ${JSON.stringify(format)}; keys: ${keys}); ` +
      'expected the output of tensorflowjs_converter, model.save() or a Teachable Machine export',
  );
}

/** A tfjs model loaded by {@link loadTfjsModel}, with the format it was detected as. */
export type LoadedTfjsModel =
  { readonly format: 'layers-model'; readonly model: tf.LayersModel } | { readonly format: 'graph-model'; readonly model: tf.GraphModel };

/**
 * Loads a LayersModel or a GraphModel from any tfjs IOHandler, detecting which it is first:
 * `tf.io.browserHTTPRequest(url)` or `tf.io.browserFiles([...])` in the browser, a file-system
 * handler in Node. The handler's `load()` runs once.
 * @example
 * const { format, model } = await loadTfjsModel(tf.io.browserHTTPRequest('/model/model.json'));
 */
export async function loadTfjsModel(handler: tf.io.IOHandler): Promise<LoadedTfjsModel> {
  if (typeof handler?.load !== 'function') throw new UnsupportedModelError('loadTfjsModel: the IOHandler has no load()');
  const artifacts = await handler.load();
  const format = detectModelFormat(artifacts);
  const memory = tf.io.fromMemory(artifacts);
  return format === 'layers-model'
    ? { format, model: await tf.loadLayersModel(memory) }
    : { format, model: await tf.loadGraphModel(memory) };
}

/** `[height, width, channels]` of a single-input image model, from its declared input shape. */
export function modelImageShape(model: tf.LayersModel | tf.GraphModel): [height: number, width: number, channels: number] {
  const shape = model.inputs[0]?.shape;
  const [, h, w, c] = shape ?? [];
  if (!shape || shape.length !== 4 || !isSize(h) || !isSize(w) || !isSize(c)) {
    throw new UnsupportedModelError(
      `the model's input shape is [${shape?.map((d) => d ?? 'null').join(', ') ?? 'unknown'}]; expected [batch, height, width, channels] with fixed height, width and channels`,
    );
  }
  return [h, w, c];
}

function isSize(v: number | null | undefined): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v > 0;
}
