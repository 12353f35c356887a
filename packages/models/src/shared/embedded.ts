// SPDX-License-Identifier: Apache-2.0
import * as tf from '@tensorflow/tfjs';

/** Bytes of a base64 string (atob: in browsers and Node alike, no Buffer). */
export function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** A LayersModel from a topology and base64 weights embedded in the package: nothing is fetched. */
export async function loadEmbeddedModel(
  topology: unknown,
  weightSpecs: readonly unknown[],
  weightsBase64: string,
): Promise<tf.LayersModel> {
  return tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: topology as object,
      weightSpecs: weightSpecs as unknown as tf.io.WeightsManifestEntry[],
      weightData: decodeBase64(weightsBase64).buffer,
    }),
  );
}
