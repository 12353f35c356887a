// SPDX-License-Identifier: Apache-2.0
// The real pretrained MobileNetV2 of packages/models/fixtures (nsfwjs@4.3.0's Keras-converted layers
// model, 224x224x3 in [0, 1]; the browser bench loads the same files over HTTP) read from disk: tfjs
// has no file loader without tfjs-node, so model.json and its weight shards go in through fromMemory.
import { readFile } from 'node:fs/promises';
import type * as tfNamespace from '@tensorflow/tfjs';

/** The fixture's folder (src/suites and dist/suites are both three levels below packages/). */
export const MOBILENET_V2_FIXTURE = new URL('../../../models/fixtures/nsfwjs-mobilenet-v2/', import.meta.url);

/** Loads the MobileNetV2 fixture as a tf.LayersModel on tfjs's current backend. */
export async function loadMobileNetV2Fixture(tf: typeof tfNamespace): Promise<tfNamespace.LayersModel> {
  const json = JSON.parse(await readFile(new URL('model.json', MOBILENET_V2_FIXTURE), 'utf8')) as {
    modelTopology: object;
    weightsManifest: tfNamespace.io.WeightsManifestConfig;
  };
  const groups = json.weightsManifest;
  const shards = await Promise.all(groups.flatMap((g) => g.paths).map((path) => readFile(new URL(path, MOBILENET_V2_FIXTURE))));
  const weights = Buffer.concat(shards);
  return tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: groups.flatMap((g) => g.weights),
      weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
    }),
  );
}
