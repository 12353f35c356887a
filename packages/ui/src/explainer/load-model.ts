// SPDX-License-Identifier: Apache-2.0
import * as tf from '@tensorflow/tfjs';
import { ModelError, throwIfAborted } from '@webxai/shaders';

/**
 * Loads a TF.js model from the URL of its model.json: a GraphModel when the JSON says
 * `"format": "graph-model"` (or its topology is a GraphDef with `node`), otherwise a LayersModel.
 *
 * @throws {ModelError} the URL cannot be fetched, is not JSON, or tfjs cannot load the model; the
 *   message names the URL.
 */
export async function loadModelFromUrl(url: string, signal?: AbortSignal): Promise<tf.LayersModel | tf.GraphModel> {
  let json: { format?: string; modelTopology?: { node?: unknown } };
  try {
    const response = await fetch(url, signal ? { signal } : {});
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    json = (await response.json()) as typeof json;
  } catch (cause) {
    throwIfAborted(signal, 'model load');
    throw new ModelError(`could not load the model from "${url}": ${(cause as Error)?.message ?? cause}`, { cause });
  }
  throwIfAborted(signal, 'model load');
  const isGraph = json.format === 'graph-model' || Array.isArray(json.modelTopology?.node);
  try {
    return isGraph ? await tf.loadGraphModel(url) : await tf.loadLayersModel(url);
  } catch (cause) {
    throw new ModelError(
      `tfjs could not load the ${isGraph ? 'graph' : 'layers'} model at "${url}": ${(cause as Error)?.message ?? cause}`,
      {
        cause,
      },
    );
  }
}
