// SPDX-License-Identifier: Apache-2.0
import { InvalidInputError } from '@webxai/shaders';

/** What a Teachable Machine image-model export's `metadata.json` says, normalised. */
export interface TeachableMachineMetadata {
  /** Class names, in the order of the model's outputs. */
  readonly labels: readonly string[];
  /** Side of the square input image (224 for every image project so far). */
  readonly imageSize: number;
  readonly modelName?: string;
  /** `tmVersion` of the Teachable Machine that exported it. */
  readonly tmVersion?: string;
}

/**
 * Parses a Teachable Machine image-project `metadata.json` (`{ labels, imageSize, modelName,
 * tmVersion, ... }`). Teachable Machine feeds its models centre-cropped squares scaled to [-1, 1]:
 * use the `'signed'` preprocess preset and `'crop'` resize with these.
 * @throws {InvalidInputError} naming the missing or malformed field.
 * @example
 * parseTeachableMachineMetadata({ labels: ['cat', 'dog'], imageSize: 224 }).labels; // ['cat', 'dog']
 */
export function parseTeachableMachineMetadata(json: unknown): TeachableMachineMetadata {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new InvalidInputError('metadata.json: expected a JSON object with labels and imageSize (a Teachable Machine export)');
  }
  const record = json as Record<string, unknown>;
  const labels = record.labels;
  if (!Array.isArray(labels) || labels.length === 0 || !labels.every((l) => typeof l === 'string')) {
    throw new InvalidInputError(`metadata.json: "labels" must be a non-empty array of strings, got ${JSON.stringify(labels)}`);
  }
  const imageSize = record.imageSize ?? 224;
  if (typeof imageSize !== 'number' || !Number.isInteger(imageSize) || imageSize <= 0) {
    throw new InvalidInputError(`metadata.json: "imageSize" must be a positive integer, got ${JSON.stringify(imageSize)}`);
  }
  return {
    labels: labels,
    imageSize,
    ...(typeof record.modelName === 'string' ? { modelName: record.modelName } : {}),
    ...(typeof record.tmVersion === 'string' ? { tmVersion: record.tmVersion } : {}),
  };
}

/** How Teachable Machine feeds its image models: a centre-cropped square in [-1, 1]. */
export const TEACHABLE_MACHINE_INPUT = { preprocess: 'signed', resize: 'crop' } as const;
