// SPDX-License-Identifier: Apache-2.0
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import {
  adaptModel,
  configureTfjs,
  createExplainer,
  disposeResult,
  evaluate,
  type MetricName,
  type ExplainOptions,
  type Explainer,
  type MethodName,
  type ModelAdapter,
} from '@webxai/core';
import { preprocessFunction } from '@webxai/core/io';
import type { ExplainArgs } from '../args.js';
import { EXIT, UsageError, messageOf } from '../errors.js';
import type { DecodedImage } from '../images/decode.js';
import { imageSources, type ImageSource } from '../images/sources.js';
import { loadModel, type LoadedModel } from '../model/load.js';
import { prepareOutDir } from '../output/files.js';
import { encodeNpy } from '../output/npy.js';
import { inputPng, isSigned, overlayPng } from '../output/overlay.js';
import { writeReport } from '../output/report.js';
import {
  readResults,
  summarise,
  writeResults,
  type ClassScore,
  type ImageRecord,
  type MethodRecord,
  type Results,
} from '../output/results.js';
import type { ProgressReporter } from './progress.js';
import { inShard } from './shard.js';
import { resolveTarget, toProbabilities, topClasses } from './predictions.js';

/** Methods whose sampling is random: --seed goes to them. */
const SEEDED = new Set(['smoothgrad', 'expected-gradients', 'rise', 'lime', 'kernel-shap', 'anchors']);
/** Methods without a batchSize option (--batch is not passed to them). */
const UNBATCHED = new Set(['saliency', 'gradient-x-input', 'guided-ig', 'xrai']);
/** --metrics: faithfulness (deletion, insertion: area under the target's probability curve) and complexity. */
const METRICS: readonly MetricName[] = ['deletion', 'insertion', 'sparseness'];
/** Random background images for expected-gradients (it needs a baseline distribution; Captum's users pass data). */
const EG_BACKGROUND = 8;

/** Outcome of `webxai explain`. */
export interface ExplainOutcome {
  readonly results: Results;
  readonly outDir: string;
  readonly exitCode: number;
}

interface RunContext {
  readonly args: ExplainArgs;
  readonly outDir: string;
  readonly loaded: LoadedModel;
  readonly adapter: ModelAdapter;
  readonly preprocess: ((x: tf.Tensor4D) => tf.Tensor4D) | undefined;
  readonly explainers: Map<string, Explainer<MethodName> | Error>;
  readonly background: tf.Tensor4D | undefined;
  readonly progress: ProgressReporter;
}

async function gpuAdapterName(backend: string): Promise<string> {
  if (backend !== 'webgpu') return 'cpu';
  const info = (await navigator.gpu?.requestAdapter())?.info;
  return info ? `${info.vendor} / ${info.architecture} / ${info.description}` : 'unknown';
}

async function setBackend(backend: 'webgpu' | 'cpu'): Promise<void> {
  configureTfjs();
  let ok = false;
  try {
    ok = await tf.setBackend(backend);
  } catch {
    ok = false;
  }
  if (!ok)
    throw new UsageError(
      `--backend ${backend}: tfjs could not initialise it${backend === 'webgpu' ? ' (no WebGPU adapter: try --backend cpu)' : ''}`,
    );
}

/** The settings that make earlier outputs reusable: same model, inputs, targets and options. */
function sameSettings(a: Results, b: Omit<Results, 'images' | 'summary' | 'adapter' | 'shard' | 'mergedFrom'>): boolean {
  const pick = (r: typeof b) => JSON.stringify([r.model.spec, r.preprocess, r.resize, r.target, r.methodOptions, r.seed, r.backend]);
  return pick(a) === pick(b);
}

/**
 * Images of an earlier run in the same folder (same settings) that this run does not touch, e.g. a
 * shard run into a folder holding a full run: kept in results.json and the report, not dropped.
 */
function carriedImages(reusable: ReadonlyMap<string, ImageRecord>, sources: readonly { readonly id: string }[]): ImageRecord[] {
  const touched = new Set(sources.map((s) => s.id));
  return [...reusable.values()].filter((image) => !touched.has(image.id));
}

/** Images sorted by file, as merge and a single run list them. */
function byFile(images: ImageRecord[]): ImageRecord[] {
  return images.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}

/** Runs `webxai explain`: checks arguments and --out first, then explains image by image. */
export async function runExplain(args: ExplainArgs, progress: ProgressReporter): Promise<ExplainOutcome> {
  const started = performance.now();
  const outDir = prepareOutDir(args.out);
  await setBackend(args.backend);
  const sources = (await imageSources(args.images)).filter((s) => inShard(s.id, args.shard));
  const loaded = await loadModel(args.model, args.labels);
  const presetName = args.preprocess ?? loaded.defaultPreprocess;
  let preprocess;
  try {
    preprocess = preprocessFunction(presetName, loaded.input.channels);
  } catch (error) {
    loaded.dispose();
    throw new UsageError(`--preprocess: ${messageOf(error)}`);
  }
  const settings = {
    tool: 'webxai' as const,
    format: 1 as const,
    model: {
      spec: loaded.spec,
      kind: loaded.kind,
      teachableMachine: loaded.teachableMachine,
      input: loaded.input,
      labels: loaded.labels ?? null,
    },
    backend: args.backend,
    preprocess: presetName,
    resize: args.resize ?? 'crop',
    target: args.target,
    methods: args.methods,
    methodOptions: args.methodOptions,
    seed: args.seed,
  };
  const previous = args.force ? undefined : readResults(outDir);
  const reusable =
    previous && sameSettings(previous, settings) ? new Map(previous.images.map((i) => [i.id, i])) : new Map<string, ImageRecord>();
  const ctx: RunContext = {
    args,
    outDir,
    loaded,
    adapter: adaptModel(loaded.model, preprocess ? { preprocess } : {}),
    preprocess,
    explainers: new Map(),
    background: args.methods.includes('expected-gradients')
      ? tf.randomUniform<tf.Rank.R4>(
          [EG_BACKGROUND, loaded.input.height, loaded.input.width, loaded.input.channels],
          0,
          1,
          'float32',
          args.seed,
        )
      : undefined,
    progress,
  };
  const adapterName = await gpuAdapterName(args.backend);
  const records: ImageRecord[] = [];
  const carried = carriedImages(reusable, sources);
  const snapshot = (): Results => ({
    ...settings,
    adapter: adapterName,
    // The folder holds exactly this shard only when nothing was carried over from an earlier run.
    ...(args.shard && !carried.length ? { shard: args.shard } : {}),
    ...(carried.length && previous?.mergedFrom ? { mergedFrom: previous.mergedFrom } : {}),
    images: carried.length ? byFile([...records, ...carried]) : records,
    summary: summarise([...records, ...carried], performance.now() - started),
  });
  try {
    for (const [n, source] of sources.entries()) {
      progress.update(n, sources.length, source.file, 'decoding');
      const record = await explainImage(ctx, source, reusable.get(source.id), (method) =>
        progress.update(n, sources.length, source.file, method),
      );
      records.push(record);
      progress.line(describeRecord(n + 1, sources.length, record));
      writeResults(outDir, snapshot()); // after every image: an interrupted run resumes from here
    }
  } finally {
    for (const e of ctx.explainers.values()) if (!(e instanceof Error)) e.dispose();
    ctx.background?.dispose();
    loaded.dispose();
    progress.finish();
  }
  const results = snapshot();
  writeResults(outDir, results);
  await writeReport(outDir, results);
  // The exit code is about this run's images, not the ones carried over from an earlier run.
  const mine = summarise(records, 0);
  const failed = mine.failed > 0 || mine.failedMethods > 0;
  return { results, outDir, exitCode: failed ? EXIT.someFailed : EXIT.ok };
}

function describeRecord(n: number, total: number, r: ImageRecord): string {
  if (r.status === 'failed') return `[${n}/${total}] ${r.file}: skipped — ${r.error}`;
  const failed = r.methods.filter((m) => m.status === 'failed');
  const top = r.prediction?.[0];
  const times = r.methods
    .filter((m) => m.status === 'ok')
    .map((m) => `${m.method} ${Math.round(m.timeMs ?? 0)} ms${m.warnings?.length ? ' (warning: see results.json)' : ''}`)
    .join(', ');
  return `[${n}/${total}] ${r.file}: ${top ? `${top.label} ${(top.probability * 100).toFixed(1)}%` : ''}; ${times}${failed.length ? `; FAILED ${failed.map((m) => `${m.method} (${m.error})`).join('; ')}` : ''}`;
}

/** Earlier outputs of this image, when every method's files are still there. */
function reuse(ctx: RunContext, prev: ImageRecord | undefined): ImageRecord | undefined {
  if (!prev || prev.status !== 'ok') return undefined;
  const methods = ctx.args.methods.map((m) => prev.methods.find((r) => r.method === m));
  const done = methods.every((m) => m?.status === 'ok' && [m.overlay, m.attribution].every((f) => f && existsSync(join(ctx.outDir, f))));
  return done ? { ...prev, methods: methods as MethodRecord[] } : undefined;
}

async function explainImage(
  ctx: RunContext,
  source: ImageSource,
  prev: ImageRecord | undefined,
  onMethod: (m: string) => void,
): Promise<ImageRecord> {
  const reused = reuse(ctx, prev);
  if (reused) return reused;
  const { args, loaded } = ctx;
  let image: DecodedImage;
  try {
    image = await source.decode(loaded.input, args.resize ?? 'crop', args.maxPixels);
  } catch (error) {
    return { id: source.id, file: source.file, status: 'failed', error: messageOf(error), methods: [] };
  }
  const dir = join(ctx.outDir, 'images', source.id);
  mkdirSync(dir, { recursive: true });
  const rel = (name: string) => `images/${source.id}/${name}`;
  writeFileSync(join(dir, 'input.png'), await inputPng(image.pixels, image.width, image.height, image.channels));
  const x = tf.tensor4d(image.pixels, [1, image.height, image.width, image.channels]);
  try {
    const t0 = performance.now();
    const scores = await ctx.adapter.predict(x);
    const raw = (await scores.data()) as Float32Array;
    scores.dispose();
    const predictMs = performance.now() - t0;
    const probabilities = toProbabilities(raw);
    const labels = labelsFor(loaded, probabilities.length);
    const target = resolveTarget(args.target, probabilities, labels);
    const methods: MethodRecord[] = [];
    for (const method of args.methods) {
      onMethod(method);
      methods.push(await explainMethod(ctx, method, x, image, target, dir, rel));
    }
    return {
      id: source.id,
      file: source.file,
      status: 'ok',
      source: image.source,
      input: rel('input.png'),
      prediction: topClasses(probabilities, labels, args.top),
      probabilities: Array.from(probabilities),
      target: { index: target, label: labels[target]!, probability: probabilities[target]! } satisfies ClassScore,
      predictMs,
      methods,
    };
  } catch (error) {
    if (error instanceof UsageError) throw error;
    return { id: source.id, file: source.file, status: 'failed', error: messageOf(error), source: image.source, methods: [] };
  } finally {
    x.dispose();
  }
}

function labelsFor(loaded: LoadedModel, classes: number): readonly string[] {
  if (!loaded.labels) return Array.from({ length: classes }, (_, i) => `class ${i}`);
  if (loaded.labels.length !== classes) {
    throw new UsageError(
      `the model has ${classes} classes but ${loaded.labels.length} labels were given (${loaded.teachableMachine ? 'metadata.json' : '--labels'})`,
    );
  }
  return loaded.labels;
}

function optionsFor(ctx: RunContext, method: string): ExplainOptions {
  const { args } = ctx;
  return {
    method,
    ...(ctx.preprocess ? { preprocess: ctx.preprocess } : {}),
    ...(SEEDED.has(method) ? { seed: args.seed } : {}),
    ...(args.batch !== undefined && !UNBATCHED.has(method) ? { batchSize: args.batch } : {}),
    ...(method === 'expected-gradients' && ctx.background ? { baselines: ctx.background } : {}),
    ...ctx.loaded.methodDefaults?.[method],
    ...args.methodOptions[method],
  } as ExplainOptions;
}

/** The method's explainer, created once per run; a creation error is kept and reported per image. */
function explainerFor(ctx: RunContext, method: string): Explainer<MethodName> {
  let e = ctx.explainers.get(method);
  if (!e) {
    try {
      e = createExplainer(ctx.loaded.model, optionsFor(ctx, method));
    } catch (error) {
      e = error instanceof Error ? error : new Error(String(error));
    }
    ctx.explainers.set(method, e);
  }
  if (e instanceof Error) throw e;
  return e;
}

/** [h, w] map of an attribution: channels summed (signed); CAM maps are already [h, w]. */
function toMap(values: Float32Array, image: DecodedImage): Float32Array {
  const pixels = image.width * image.height;
  if (values.length === pixels) return values;
  if (values.length !== pixels * image.channels)
    throw new Error(`unexpected attribution size ${values.length} for a ${image.width}x${image.height}x${image.channels} image`);
  const map = new Float32Array(pixels);
  for (let p = 0; p < pixels; p++) for (let c = 0; c < image.channels; c++) map[p]! += values[p * image.channels + c]!;
  return map;
}

async function explainMethod(
  ctx: RunContext,
  method: string,
  x: tf.Tensor4D,
  image: DecodedImage,
  target: number,
  dir: string,
  rel: (name: string) => string,
): Promise<MethodRecord> {
  try {
    const explainer = explainerFor(ctx, method);
    const t0 = performance.now();
    const result = await explainer.explain(x, { target: [target] });
    let values: Float32Array;
    let scores: Record<string, number> | undefined;
    const shape = result.attribution.shape.slice(result.attribution.shape[0] === 1 && result.attribution.rank >= 3 ? 1 : 0);
    const timeMs = performance.now() - t0;
    const warnings = cliWarnings(result);
    try {
      values = (await result.attribution.data()) as Float32Array;
      if (ctx.args.metrics) scores = await trustScores(ctx, x, result);
    } finally {
      disposeResult(result);
    }
    const map = toMap(values, image);
    writeFileSync(join(dir, `${method}.npy`), encodeNpy(values, shape));
    writeFileSync(join(dir, `${method}.png`), await overlayPng(map, image.pixels, image.width, image.height, image.channels));
    return {
      method,
      status: 'ok',
      path: result.path,
      timeMs,
      overlay: rel(`${method}.png`),
      attribution: rel(`${method}.npy`),
      shape,
      signed: isSigned(map),
      ...(scores ? { scores } : {}),
      ...(warnings.length ? { warnings } : {}),
    };
  } catch (error) {
    return { method, status: 'failed', error: messageOf(error) };
  }
}

/** A result's warnings (CAM methods), with core's option syntax turned into the CLI's `--set`. */
function cliWarnings(result: object): string[] {
  const warnings = 'warnings' in result && Array.isArray(result.warnings) ? (result.warnings as string[]) : [];
  const method = 'method' in result ? String(result.method) : '';
  return warnings.map((w) => w.replace('Pass relu: false', `Pass --set ${method}.relu=false`));
}

/** Core's evaluate() for each of METRICS on one explanation (the explained target, the run's preprocess). */
async function trustScores(
  ctx: RunContext,
  x: tf.Tensor4D,
  result: Awaited<ReturnType<Explainer<MethodName>['explain']>>,
): Promise<Record<string, number>> {
  const scores: Record<string, number> = {};
  for (const metric of METRICS) {
    const r = await evaluate(ctx.loaded.model, x, result, {
      metric,
      ...(ctx.preprocess ? { preprocess: ctx.preprocess } : {}),
    });
    scores[metric] = r.scores[0]!;
  }
  return scores;
}
