// SPDX-License-Identifier: Apache-2.0
import * as tf from '@tensorflow/tfjs';
import { randomNormal, UnsupportedModelError } from '@webxai/shaders';
import { normalFill } from '../../random/normal-fill.js';
import { kernelToTensor, tfjsDevice } from '../../interop/tfjs-webgpu.js';
import type { ModelInput } from '../../model/types.js';

function isLayersModel(model: unknown): model is tf.LayersModel {
  return (
    model instanceof tf.LayersModel ||
    (typeof model === 'object' && model !== null && 'layers' in model && 'getLayer' in model && 'save' in model)
  );
}

function isGraphModel(model: unknown): model is tf.GraphModel {
  return (
    model instanceof tf.GraphModel || (typeof model === 'object' && model !== null && 'executeAsync' in model && 'modelSignature' in model)
  );
}

/** What to do instead, per model kind the sanity checks cannot randomise. */
function unsupportedReason(what: string, model: ModelInput): string {
  if (isGraphModel(model)) {
    // A GraphModel's weights are constants of a frozen graph with no layer boundaries: there is no
    // layer-by-layer cascade to walk, no way to copy it without its files, and tfjs cannot train it.
    return (
      `${what} randomises or retrains weights layer by layer, which a tf.GraphModel does not have (its weights are ` +
      `frozen graph constants, and tfjs cannot train it): load the model as a tf.LayersModel instead (tf.loadLayersModel ` +
      `on a Keras/Layers export, or tensorflowjs_converter --output_format=tfjs_layers_model)`
    );
  }
  const kind = typeof model === 'function' ? 'a function' : 'a black box (no weights)';
  return `${what} randomises or retrains weights, so it needs a tf.LayersModel; got ${kind}`;
}

/** The model as a LayersModel, or an UnsupportedModelError naming why the sanity check needs one and what to do. */
export function requireLayersModel(what: string, model: ModelInput): tf.LayersModel {
  if (!isLayersModel(model)) throw new UnsupportedModelError(unsupportedReason(what, model));
  return model;
}

/**
 * An independent copy of a LayersModel (topology and weights serialised and loaded again), so the
 * sanity checks can overwrite weights without touching the user's model, with the weights' values
 * as saved: the re-draws take their statistics from those (no readback per weight). The caller
 * disposes `model`.
 */
export interface LayersModelCopy {
  readonly model: tf.LayersModel;
  /** Each float32 weight's saved values by its original name (the name a copy's weight keeps). */
  readonly values: ReadonlyMap<string, Float32Array>;
}

/** Copies `model` ({@link LayersModelCopy}): one save, which reads every weight back once. */
export async function copyLayersModel(model: tf.LayersModel): Promise<LayersModelCopy> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler((a) => {
      artifacts = a;
      return Promise.resolve({ modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } });
    }),
  );
  const copy = await tf.loadLayersModel(tf.io.fromMemory(artifacts!));
  return { model: copy, values: savedFloatWeights(artifacts!) };
}

/** Bytes per value of the dtypes a save writes as plain arrays. */
const SAVED_BYTES: Readonly<Record<string, number>> = { float32: 4, int32: 4, bool: 1 };

/** The float32 weights of saved artifacts as views of their weight data, by name (other dtypes are left out). */
function savedFloatWeights(artifacts: tf.io.ModelArtifacts): Map<string, Float32Array> {
  const values = new Map<string, Float32Array>();
  const specs = artifacts.weightSpecs ?? [];
  const data = artifacts.weightData === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(artifacts.weightData);
  let offset = 0;
  for (const spec of specs) {
    const count = spec.shape.reduce((a, b) => a * b, 1);
    // Other dtypes (strings, complex) and quantised weights would need their own decoding: the walk
    // stops there, and the weights from there on are read back instead.
    const bytes = SAVED_BYTES[spec.dtype];
    if (spec.quantization || bytes === undefined) break;
    if (spec.dtype === 'float32') values.set(spec.name, new Float32Array(data, offset, count));
    offset += count * bytes;
  }
  return values;
}

/** Layers that own trainable weights, from the output back to the input (Adebayo's cascade order). */
export function weightedLayersTopDown(model: tf.LayersModel): tf.layers.Layer[] {
  return model.layers.filter((l) => l.trainableWeights.length > 0).reverse();
}

/**
 * Re-draws every trainable weight of `layer` from N(mean, std^2) of that weight's own values
 * (seeded), so the scale of each tensor survives while its learned structure does not. Moving
 * statistics (non-trainable) are kept, so batch normalisation stays well defined. The values come
 * from `saved` (the copy's {@link LayersModelCopy.values}) where it has the weight, else they are read
 * back.
 */
export async function randomiseLayer(
  layer: tf.layers.Layer,
  seed: number,
  saved: ReadonlyMap<string, Float32Array> = new Map(),
): Promise<void> {
  const fresh: tf.Tensor[] = [];
  for (const [w, weight] of layer.trainableWeights.entries()) {
    const values = saved.get(weight.originalName) ?? ((await weight.read().data()) as Float32Array);
    let mean = 0;
    for (const v of values) mean += v;
    mean /= values.length;
    let variance = 0;
    for (const v of values) variance += (v - mean) ** 2;
    const std = Math.sqrt(variance / values.length) || 0.05; // a zero-initialised bias still gets noise
    fresh.push(await normalWeight(weight.read().shape, seed, w * 2 ** 24, mean, std));
  }
  const all = layer.getWeights();
  // getWeights() lists trainable weights first, then the non-trainable ones.
  layer.setWeights([...fresh, ...all.slice(fresh.length)]);
  tf.dispose(fresh);
}

/**
 * N(mean, std^2) values of the seeded normal stream from `offset`, as a tensor of `shape`: on webgpu
 * the random-fill kernel writes them on the device (no host draws beside the GPU's work, no
 * upload; each value within one f32 rounding of normalFill's), else normalFill.
 */
async function normalWeight(shape: number[], seed: number, offset: number, mean: number, std: number): Promise<tf.Tensor> {
  const count = shape.reduce((a, b) => a * b, 1);
  if (tf.getBackend() !== 'webgpu') return tf.tensor(normalFill(seed, offset, count, mean, std), shape);
  return kernelToTensor(shape, (output) => randomNormal(tfjsDevice(), { seed, offset, count, output, mean, std }));
}
