// SPDX-License-Identifier: Apache-2.0
import { readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { UsageError } from '../errors.js';

/**
 * A tfjs IOHandler that reads a `model.json` and its weight files from disk (what `tf.io.fileSystem`
 * does in tfjs-node, which we do not depend on). Weight paths are relative to model.json unless a file
 * with the same name was given explicitly in `weightFiles`.
 */
export function fileSystemHandler(modelJsonPath: string, weightFiles: readonly string[] = []): tf.io.IOHandler {
  return {
    // eslint-disable-next-line @typescript-eslint/require-await -- async so an unreadable file rejects the load (tfjs awaits it)
    async load(): Promise<tf.io.ModelArtifacts> {
      const json = readJson(modelJsonPath, '--model') as Record<string, unknown> & { weightsManifest?: tf.io.WeightsManifestConfig };
      const manifest = json.weightsManifest ?? [];
      const byName = new Map(weightFiles.map((f) => [basename(f), f]));
      const chunks: Buffer[] = [];
      const weightSpecs: tf.io.WeightsManifestEntry[] = [];
      for (const group of manifest) {
        for (const path of group.paths) {
          const file = byName.get(basename(path)) ?? resolve(dirname(modelJsonPath), path);
          try {
            chunks.push(readFileSync(file));
          } catch (error) {
            throw new UsageError(
              `--model: weight file '${file}' named by ${modelJsonPath} cannot be read (${(error as NodeJS.ErrnoException).code}); pass it with --model or put it next to model.json`,
            );
          }
        }
        weightSpecs.push(...group.weights);
      }
      const weights = Buffer.concat(chunks);
      const { weightsManifest: _manifest, ...rest } = json;
      return {
        ...(rest as tf.io.ModelArtifacts),
        weightSpecs,
        weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
      };
    },
  };
}

/** Reads and parses a JSON file; a UsageError naming `flag` and the file otherwise. */
export function readJson(file: string, flag: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`${flag}: cannot read '${file}' (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${flag}: '${file}' is not valid JSON (${(error as Error).message})`);
  }
}
