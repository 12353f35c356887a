// SPDX-License-Identifier: Apache-2.0
// Where the page's model comes from: the shipped MNIST CNN, a model.json URL (LayersModel or
// GraphModel, detected by @webxai/core/io), a Teachable Machine export (3 files) or an .onnx file
// (onnxruntime-web: predictions only). Loading and format detection are core's; this file names
// the origin in every error and describes what it loaded.
import * as tf from '@tensorflow/tfjs';
import type { ModelInput } from '@webxai/core';
import { ModelError } from '@webxai/core';
import {
  loadTfjsModel,
  modelImageShape,
  parseTeachableMachineMetadata,
  preprocessFunction,
  TEACHABLE_MACHINE_INPUT,
  type PreprocessPreset,
} from '@webxai/core/io';
import { loadMnistCnn, loadShapesCnn, mnistCnnAccuracy, MNIST_LABELS, shapesCnnAccuracy, SHAPES_LABELS, SHAPES_SIZE } from '@webxai/models';

/** The model the page explains, and what it needs from an image. Size, labels and preprocessing are editable. */
export interface DemoModel {
  /** Shown in the page, e.g. "MNIST CNN (shipped)". */
  readonly name: string;
  /** The URL or file names it came from (named in errors). */
  readonly origin: string;
  readonly format: 'layers-model' | 'graph-model' | 'onnx';
  readonly model: ModelInput;
  /** False for ONNX: only perturbation methods can explain it. */
  readonly differentiable: boolean;
  /** The shipped MNIST model keeps the page's digit picker and draw pad; the shapes model brings its own samples. */
  readonly shipped?: 'mnist' | 'shapes';
  /** A line about the model (layers, accuracy...). */
  readonly detail: string;
  height: number;
  width: number;
  channels: number;
  labels: string[];
  preprocess: PreprocessPreset;
  /** Frees the model (tfjs weights, ONNX session). */
  dispose(): void;
}

/** core's `preprocess` option for the model's preset and channel count (undefined for [0, 1]). */
export function preprocessOf(m: DemoModel): ((x: tf.Tensor4D) => tf.Tensor4D) | undefined {
  return preprocessFunction(m.preprocess, m.channels);
}

/**
 * The preprocessing `<xai-explainer>` uses. It feeds black boxes (they declare no input shape) RGB,
 * so a grey black box (a 1-channel ONNX model) first gets the mean of R, G and B — what the page's
 * other views feed it (picture.ts pixelsOf) — then the model's preset.
 */
export function explainerPreprocessOf(m: DemoModel): ((x: tf.Tensor4D) => tf.Tensor4D) | undefined {
  const preset = preprocessOf(m);
  if (m.differentiable || m.channels !== 1) return preset;
  return (x) =>
    tf.tidy(() => {
      const grey = x.shape[3] === 1 ? x : tf.mean<tf.Tensor4D>(x, 3, true);
      return preset ? preset(grey) : grey;
    });
}

/** Labels `class 0..n-1` when a model brings none. */
const numbered = (n: number) => Array.from({ length: n }, (_, i) => `class ${i}`);

/**
 * Classes the model outputs: from its output shape, else (GraphModels often leave it unknown) from one
 * prediction on a blank input; 0 if that fails too (labels then come from the user).
 */
function outputClasses(model: tf.LayersModel | tf.GraphModel, [height, width, channels]: readonly [number, number, number]): number {
  const shape = model.outputs[0]?.shape;
  const n = shape?.[shape.length - 1];
  if (typeof n === 'number' && n > 0) return n;
  try {
    return tf.tidy(() => {
      const out = model.predict(tf.zeros([1, height, width, channels])) as tf.Tensor;
      return out.shape[out.shape.length - 1] ?? 0;
    });
  } catch {
    return 0; // e.g. a graph with control flow (needs executeAsync)
  }
}

function describe(model: tf.LayersModel | tf.GraphModel, format: string): string {
  const params = 'countParams' in model ? `, ${model.countParams().toLocaleString('en')} parameters` : '';
  return `${format}${params}`;
}

/** The shipped MNIST CNN (28 x 28 grey digits in [0, 1]). */
export async function shippedMnist(): Promise<DemoModel> {
  const model = await loadMnistCnn();
  return {
    name: 'MNIST CNN (shipped)',
    origin: '@webxai/models',
    format: 'layers-model',
    model,
    differentiable: true,
    shipped: 'mnist',
    detail: `conv1, pool1, conv2, pool2, conv3, gap, logits, ${model.countParams().toLocaleString('en')} parameters, ${(mnistCnnAccuracy * 100).toFixed(1)}% held-out accuracy`,
    height: 28,
    width: 28,
    channels: 1,
    labels: [...MNIST_LABELS],
    preprocess: 'unit',
    dispose: () => model.dispose(),
  };
}

/** The shipped shapes CNN (64 x 64 RGB in [0, 1]: circle, square, triangle, cross), trained on the shapes data set. */
export async function shippedShapes(): Promise<DemoModel> {
  const model = await loadShapesCnn();
  return {
    name: 'Shapes CNN (shipped)',
    origin: '@webxai/models',
    format: 'layers-model',
    model,
    differentiable: true,
    shipped: 'shapes',
    detail: `conv1 (stride 2), pool1, conv2, conv3, gap, logits, ${model.countParams().toLocaleString('en')} parameters, ${(shapesCnnAccuracy * 100).toFixed(1)}% held-out accuracy`,
    height: SHAPES_SIZE,
    width: SHAPES_SIZE,
    channels: 3,
    labels: [...SHAPES_LABELS],
    preprocess: 'unit',
    dispose: () => model.dispose(),
  };
}

const reason = (e: unknown) => (e instanceof Error ? e.message : String(e));

function tfjsDemoModel(
  loaded: Awaited<ReturnType<typeof loadTfjsModel>>,
  name: string,
  origin: string,
  labels: string[] | undefined,
  preprocess: PreprocessPreset,
): DemoModel {
  const [height, width, channels] = modelImageShape(loaded.model);
  const classes = outputClasses(loaded.model, [height, width, channels]);
  return {
    name,
    origin,
    format: loaded.format,
    model: loaded.model,
    differentiable: true,
    detail: describe(loaded.model, loaded.format),
    height,
    width,
    channels,
    labels: labels ?? numbered(classes),
    preprocess,
    dispose: () => loaded.model.dispose(),
  };
}

/**
 * A model.json by URL; a `metadata.json` next to it (a hosted Teachable Machine model) gives labels
 * and the [-1, 1] preset.
 * @throws {ModelError} naming the URL and why it failed.
 */
export async function modelFromUrl(url: string): Promise<DemoModel> {
  let loaded;
  try {
    loaded = await loadTfjsModel(tf.io.browserHTTPRequest(url));
  } catch (cause) {
    throw new ModelError(`could not load a model from ${url}: ${reason(cause)}`, { cause });
  }
  const metadata = await fetch(new URL('metadata.json', new URL(url, location.href)))
    .then((r) => (r.ok ? r.json() : undefined))
    .then((json) => (json ? parseTeachableMachineMetadata(json) : undefined))
    .catch(() => undefined); // optional: most model.json URLs have none
  const name = metadata
    ? `Teachable Machine model${metadata.modelName ? ` “${metadata.modelName}”` : ''}`
    : `model.json (${loaded.format})`;
  return tfjsDemoModel(
    loaded,
    name,
    url,
    metadata ? [...metadata.labels] : undefined,
    metadata ? TEACHABLE_MACHINE_INPUT.preprocess : 'unit',
  );
}

/**
 * A Teachable Machine image-model export: model.json, weights.bin and metadata.json (any order).
 * @throws {ModelError} naming the missing file or why tfjs could not load it.
 */
export async function modelFromTeachableMachine(files: readonly File[]): Promise<DemoModel> {
  const names = files.map((f) => f.name).join(', ') || 'no files';
  const json = files.find((f) => f.name.endsWith('model.json'));
  const meta = files.find((f) => f.name.endsWith('metadata.json'));
  const weights = files.filter((f) => f.name.endsWith('.bin'));
  if (!json || !meta || !weights.length) {
    const missing = [!json && 'model.json', !weights.length && 'weights.bin', !meta && 'metadata.json'].filter(Boolean).join(', ');
    throw new ModelError(
      `a Teachable Machine export has three files (model.json, weights.bin, metadata.json); missing ${missing} among: ${names}`,
    );
  }
  try {
    const metadata = parseTeachableMachineMetadata(JSON.parse(await meta.text()));
    const loaded = await loadTfjsModel(tf.io.browserFiles([json, ...weights]));
    const name = `Teachable Machine model${metadata.modelName ? ` “${metadata.modelName}”` : ''}`;
    return tfjsDemoModel(loaded, name, names, [...metadata.labels], TEACHABLE_MACHINE_INPUT.preprocess);
  } catch (cause) {
    throw new ModelError(`could not load the Teachable Machine export (${names}): ${reason(cause)}`, { cause });
  }
}

export { modelFromOnnxFile } from './onnx.js';
