// SPDX-License-Identifier: Apache-2.0
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { ModelInput } from '@webxai/core';
import { fromOnnx } from '@webxai/core/onnx';
import {
  loadTfjsModel,
  modelImageShape,
  parseTeachableMachineMetadata,
  TEACHABLE_MACHINE_INPUT,
  type PreprocessPreset,
  type TeachableMachineMetadata,
} from '@webxai/core/io';
import { loadMnistCnn, MNIST_LABELS } from '@webxai/models';
import { UsageError, messageOf } from '../errors.js';
import type { InputSize } from '../images/decode.js';
import { fileSystemHandler, readJson } from './fs-handler.js';

/** A model ready to explain, with what the CLI needs to feed it. */
export interface LoadedModel {
  /** What `--model` said, for results.json. */
  readonly spec: string;
  readonly kind: 'layers-model' | 'graph-model' | 'onnx';
  readonly teachableMachine: boolean;
  readonly model: ModelInput;
  readonly input: InputSize;
  readonly labels: readonly string[] | undefined;
  /** The preset the model's source implies (Teachable Machine: signed; otherwise unit). */
  readonly defaultPreprocess: PreprocessPreset;
  readonly differentiable: boolean;
  /** Method options sized for this model, under the user's --set (the 28x28 digits need fewer samples than photos). */
  readonly methodDefaults?: Readonly<Record<string, Record<string, unknown>>>;
  dispose(): void;
}

/** Per-method options for 28x28 digits, where a method's default is sized for 224x224 photos. */
const DIGIT_OPTIONS: Readonly<Record<string, Record<string, unknown>>> = {
  'integrated-gradients': { steps: 64 },
  smoothgrad: { samples: 32 },
  'expected-gradients': { samples: 32 },
  occlusion: { window: 6, stride: 2, baselineValue: 0 },
  rise: { masks: 1000, cellSize: 4 },
  lime: { samples: 256 },
  'kernel-shap': { samples: 256 },
};

const BUILTINS = ['mnist'] as const;

/** Reads `--labels`: a JSON array of strings, or one label per line. */
export function readLabels(file: string): string[] {
  const text = (() => {
    try {
      return readFileSync(file, 'utf8');
    } catch (error) {
      throw new UsageError(`--labels: cannot read '${file}' (${(error as NodeJS.ErrnoException).code})`);
    }
  })();
  if (text.trimStart().startsWith('[')) {
    const labels = JSON.parse(text) as unknown;
    if (!Array.isArray(labels) || !labels.every((l) => typeof l === 'string'))
      throw new UsageError(`--labels: '${file}' must hold a JSON array of strings`);
    return labels;
  }
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
}

function tfjsLoaded(
  spec: string,
  loaded: Awaited<ReturnType<typeof loadTfjsModel>>,
  metadata: TeachableMachineMetadata | undefined,
  labels: readonly string[] | undefined,
): LoadedModel {
  const [height, width, channels] = modelImageShape(loaded.model);
  return {
    spec,
    kind: loaded.format,
    teachableMachine: metadata !== undefined,
    model: loaded.model,
    input: { width, height, channels },
    labels: labels ?? metadata?.labels,
    defaultPreprocess: metadata ? TEACHABLE_MACHINE_INPUT.preprocess : 'unit',
    differentiable: true,
    dispose: () => loaded.model.dispose(),
  };
}

/** Sorts `--model` files into model.json, metadata.json, weight files and .onnx. */
function classify(values: readonly string[]) {
  let modelJson: string | undefined;
  let metadata: string | undefined;
  let onnx: string | undefined;
  const weights: string[] = [];
  for (const value of values) {
    const path = resolve(value);
    if (!existsSync(path)) throw new UsageError(`--model: '${value}' does not exist`);
    if (statSync(path).isDirectory()) {
      if (!existsSync(join(path, 'model.json'))) throw new UsageError(`--model: folder '${value}' has no model.json`);
      modelJson = join(path, 'model.json');
      if (existsSync(join(path, 'metadata.json'))) metadata = join(path, 'metadata.json');
    } else if (extname(path).toLowerCase() === '.onnx') onnx = path;
    else if (extname(path).toLowerCase() === '.json') {
      const json = readJson(path, '--model') as Record<string, unknown>;
      if ('modelTopology' in json || 'weightsManifest' in json) modelJson = path;
      else if ('labels' in json) metadata = path;
      else
        throw new UsageError(
          `--model: '${value}' is neither a tfjs model.json (no modelTopology) nor a Teachable Machine metadata.json (no labels)`,
        );
    } else weights.push(path);
  }
  if (onnx && (modelJson || metadata || weights.length))
    throw new UsageError('--model: give either an .onnx file or a tfjs model, not both');
  if (!onnx && !modelJson) throw new UsageError(`--model: no model.json among ${values.join(', ')}`);
  // A metadata.json next to model.json belongs to it (a Teachable Machine export).
  if (modelJson && !metadata && existsSync(join(dirname(modelJson), 'metadata.json'))) metadata = join(dirname(modelJson), 'metadata.json');
  return { modelJson, metadata, onnx, weights };
}

/**
 * Loads what `--model` names: builtin:<name>, an http(s) URL of a model.json (or of a folder ending
 * in '/', e.g. a hosted Teachable Machine model), a model.json / Teachable Machine export folder or
 * files, or an .onnx file. A `labels.json` next to a model.json provides labels unless --labels does.
 * @throws {UsageError} naming --model and the problem.
 */
export async function loadModel(values: readonly string[], labelsFile: string | undefined): Promise<LoadedModel> {
  const spec = values.join(',');
  const labels = labelsFile === undefined ? undefined : readLabels(labelsFile);
  try {
    if (values.length === 1 && values[0]!.startsWith('builtin:')) return await loadBuiltin(values[0]!.slice('builtin:'.length), labels);
    if (values.length === 1 && /^https?:\/\//.test(values[0]!)) return await loadUrl(values[0]!, labels);
    const files = classify(values);
    if (files.onnx) return await loadOnnx(files.onnx, labels);
    const modelJson = files.modelJson!;
    const metadata = files.metadata ? parseTeachableMachineMetadata(readJson(files.metadata, '--model')) : undefined;
    const besideLabels = join(dirname(modelJson), 'labels.json');
    const defaultLabels = labels ?? (!metadata && existsSync(besideLabels) ? readLabels(besideLabels) : undefined);
    return tfjsLoaded(spec, await loadTfjsModel(fileSystemHandler(modelJson, files.weights)), metadata, defaultLabels);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`--model ${spec}: ${messageOf(error)}`);
  }
}

async function loadBuiltin(name: string, labels: readonly string[] | undefined): Promise<LoadedModel> {
  if (name !== 'mnist')
    throw new UsageError(`--model builtin:${name}: unknown; built in: ${BUILTINS.map((b) => `builtin:${b}`).join(', ')}`);
  const model = await loadMnistCnn();
  return {
    spec: 'builtin:mnist',
    kind: 'layers-model',
    teachableMachine: false,
    model,
    input: { width: 28, height: 28, channels: 1 },
    labels: labels ?? MNIST_LABELS,
    defaultPreprocess: 'unit',
    differentiable: true,
    methodDefaults: DIGIT_OPTIONS,
    dispose: () => model.dispose(),
  };
}

async function loadUrl(url: string, labels: readonly string[] | undefined): Promise<LoadedModel> {
  const modelUrl = url.endsWith('/') ? `${url}model.json` : url;
  const metadataUrl = new URL('metadata.json', modelUrl).href;
  const response = await fetch(metadataUrl).catch(() => undefined);
  const metadata = response?.ok ? parseTeachableMachineMetadata(await response.json()) : undefined;
  const loaded = await loadTfjsModel(tf.io.http(modelUrl, { fetchFunc: fetch }));
  return tfjsLoaded(url, loaded, metadata, labels);
}

async function loadOnnx(file: string, labels: readonly string[] | undefined): Promise<LoadedModel> {
  const ort = await import('onnxruntime-node');
  const session = await ort.InferenceSession.create(file);
  const meta = session.inputMetadata[0];
  const dims = meta && 'shape' in meta ? meta.shape.map((d) => (typeof d === 'number' && d > 0 ? d : null)) : [];
  // ONNX vision models are NCHW ([n, 3, h, w]); an NHWC export has its channels last.
  const nchw = dims.length === 4 && (dims[1] === 1 || dims[1] === 3) && dims[3] !== 1 && dims[3] !== 3;
  const [h, w, c] = nchw ? [dims[2], dims[3], dims[1]] : [dims[1], dims[2], dims[3]];
  if (dims.length !== 4 || !h || !w || !c) {
    await session.release();
    throw new UsageError(
      `--model ${basename(file)}: its input '${session.inputNames[0]}' has shape [${dims.map((d) => d ?? '?')}]; expected a fixed [n, c, h, w] or [n, h, w, c] image input`,
    );
  }
  return {
    spec: file,
    kind: 'onnx',
    teachableMachine: false,
    model: fromOnnx(session, { layout: nchw ? 'nchw' : 'nhwc', Tensor: ort.Tensor }),
    input: { width: w, height: h, channels: c },
    labels,
    defaultPreprocess: 'unit',
    differentiable: false,
    dispose: () => void session.release(),
  };
}
