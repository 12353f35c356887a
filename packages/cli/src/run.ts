// SPDX-License-Identifier: Apache-2.0
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { configureTfjs, createExplainer, disposeResult, listMethods, type ExplainOptions } from '@webxai/core';
import { loadMnistCnn, mnistSamples, MNIST_LABELS } from '@webxai/models';
import type { CliOptions } from './args.js';
import { asciiMap, heatmapStripPng } from './png.js';

/** Per-method options for 28x28 digits, where a method's default is sized for 224x224 photos. */
const DIGIT_OPTIONS: Record<string, Record<string, unknown>> = {
  'integrated-gradients': { steps: 64 },
  smoothgrad: { samples: 32, seed: 1 },
  'expected-gradients': { samples: 32, seed: 1 },
  occlusion: { window: 6, stride: 2, baselineValue: 0 },
  rise: { masks: 1000, cellSize: 4, seed: 1 },
  lime: { samples: 500, seed: 1 },
  'kernel-shap': { samples: 500, seed: 1 },
};

/** One method's outcome. */
export interface MethodSummary {
  readonly method: string;
  readonly path?: string;
  readonly msPerImage?: number;
  /** Share of the attribution's absolute mass on ink pixels (digit strokes, ~19% of the image). */
  readonly inkShare?: number;
  /** IG-family convergence: largest |delta| relative to |f(x) - f(baseline)|. */
  readonly maxRelativeDelta?: number;
  readonly error?: string;
  readonly png?: Buffer;
}

export interface RunSummary {
  readonly adapter: string;
  /** Share of pixels that are ink (> 0.3): the ink share a uniform attribution would have. */
  readonly inkFraction: number;
  readonly backend: string;
  readonly samples: { label: number; predicted: number; probability: number }[];
  readonly methods: MethodSummary[];
}

/** Reduces an attribution to [n, h, w] (channels summed, signed) as plain arrays. */
async function toMaps(attribution: tf.Tensor, n: number, h: number, w: number): Promise<Float32Array[]> {
  const maps = tf.tidy(() => (attribution.rank === 4 ? tf.sum(attribution, 3) : attribution).reshape([n, h * w]));
  const data = (await maps.data()) as Float32Array;
  maps.dispose();
  return Array.from({ length: n }, (_, i) => data.slice(i * h * w, (i + 1) * h * w));
}

const INK = 0.3;

function inkFraction(images: Float32Array[]): number {
  const all = images.flatMap((image) => Array.from(image));
  return all.filter((v) => v > INK).length / all.length;
}

function inkShare(images: Float32Array[], maps: Float32Array[]): number {
  let ink = 0;
  let total = 0;
  maps.forEach((map, i) => map.forEach((v, p) => {
    total += Math.abs(v);
    if (images[i]![p]! > INK) ink += Math.abs(v);
  }));
  return total > 0 ? ink / total : 0;
}

/** Loads the shipped model and digits, explains them with every requested method, and summarises. */
export async function runExplanations(options: CliOptions, log: (line: string) => void): Promise<RunSummary> {
  configureTfjs();
  if (!(await tf.setBackend(options.backend))) throw new Error(`tfjs backend '${options.backend}' could not be initialised`);
  const adapterInfo = (await navigator.gpu.requestAdapter())?.info;
  const adapter = adapterInfo ? `${adapterInfo.vendor} / ${adapterInfo.architecture} / ${adapterInfo.description}` : 'none';
  const known = listMethods() as string[];
  const methods = options.methods.includes('all') ? known : options.methods;
  const unknown = methods.filter((m) => !known.includes(m));
  if (unknown.length) throw new Error(`unknown method(s) ${unknown.join(', ')}; available: ${known.join(', ')}`);

  const model = await loadMnistCnn();
  const all = mnistSamples();
  const pick = Array.from({ length: options.samples }, (_, i) => (i * 2) % 20 + Math.floor((i * 2) / 20)); // one per class first
  const images = tf.gather(all.images, pick) as tf.Tensor4D;
  all.images.dispose();
  const labels = pick.map((i) => all.labels[i]!);
  const probs = tf.tidy(() => tf.softmax(model.predict(images) as tf.Tensor2D));
  const probData = await probs.data();
  probs.dispose();
  const samples = labels.map((label, i) => {
    const row = Array.from(probData.slice(i * 10, (i + 1) * 10));
    const predicted = row.indexOf(Math.max(...row));
    return { label, predicted, probability: row[predicted]! };
  });
  const pixels = (await images.data()) as Float32Array;
  const imageArrays = labels.map((_, i) => pixels.slice(i * 784, (i + 1) * 784));

  const uniformShare = inkFraction(imageArrays);
  log(`adapter: ${adapter}; tfjs backend: ${tf.getBackend()}`);
  log(`model: shipped MNIST CNN; ${samples.filter((s) => s.label === s.predicted).length}/${samples.length} digits classified correctly`);
  log(`digits: ${samples.map((s) => `${MNIST_LABELS[s.label]}→${MNIST_LABELS[s.predicted]}`).join(' ')}\n`);
  log(`ink share = share of |attribution| on ink pixels (a uniform map would give ${(uniformShare * 100).toFixed(1)}%)`);
  log(`${'method'.padEnd(22)} ${'path'.padEnd(5)} ${'ms/image'.padStart(9)} ${'ink share'.padStart(10)} ${'max |δ|/|Δf|'.padStart(13)}`);

  // IG's map is the easiest to read in text (exactly zero off the strokes with a zeros baseline).
  const previewMethod = methods.includes('integrated-gradients') ? 'integrated-gradients' : methods[0];
  const results: MethodSummary[] = [];
  for (const method of methods) {
    const explainer = createExplainer(model, { method, target: 'predicted', ...DIGIT_OPTIONS[method] } as ExplainOptions);
    try {
      disposeResult(await explainer.explain(images)); // warm-up: compiles every pipeline for this batch shape

      const start = performance.now();
      const r = await explainer.explain(images);
      const ms = (performance.now() - start) / labels.length;
      const maps = await toMaps(r.attribution, labels.length, 28, 28);
      const delta = 'delta' in r && Array.isArray(r.delta) ? await relativeDelta(model, images, r.target, r.delta as number[]) : undefined;
      disposeResult(r);
      const summary: MethodSummary = {
        method,
        path: r.path,
        msPerImage: ms,
        inkShare: inkShare(imageArrays, maps),
        ...(delta === undefined ? {} : { maxRelativeDelta: delta }),
        png: heatmapStripPng(imageArrays, maps, 28, 28),
      };
      results.push(summary);
      log(`${method.padEnd(22)} ${r.path.padEnd(5)} ${ms.toFixed(1).padStart(9)} ${(summary.inkShare! * 100).toFixed(1).padStart(9)}% ${delta === undefined ? '—'.padStart(13) : delta.toExponential(2).padStart(13)}`);
      if (method === previewMethod) log(`\n${method} on the first digit (${MNIST_LABELS[labels[0]!]}):\n${asciiMap(maps[0]!, 28, 28)}\n`);
    } catch (error) {
      results.push({ method, error: (error as Error).message });
      log(`${method.padEnd(22)} failed: ${(error as Error).message}`);
    } finally {
      explainer.dispose();
    }
  }
  images.dispose();
  model.dispose();
  return { adapter, inkFraction: uniformShare, backend: options.backend, samples, methods: results };
}

/** max_i |delta_i| / |f(x_i) - f(0)| for the IG family (zeros baseline). */
async function relativeDelta(model: tf.LayersModel, images: tf.Tensor4D, targets: number[], delta: number[]): Promise<number> {
  const gap = tf.tidy(() => {
    const fx = model.predict(images) as tf.Tensor2D;
    const fb = model.predict(tf.zerosLike(images)) as tf.Tensor2D;
    const mask = tf.oneHot(tf.tensor1d(targets, 'int32'), 10);
    return tf.sum(tf.mul(tf.sub(fx, fb), mask), 1);
  });
  const gaps = await gap.data();
  gap.dispose();
  return Math.max(...delta.map((d, i) => Math.abs(d) / Math.max(1e-6, Math.abs(gaps[i]!))));
}
