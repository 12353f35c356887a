// SPDX-License-Identifier: Apache-2.0
// The browser benchmark page (run by src/browser.ts in headless Chromium): for every case, rounds of
// bare tfjs passes and webxai's GPU path interleaved on the webgpu backend, then bare passes and
// webxai's CPU path on tfjs's cpu backend; medians of the timed rounds (the first is a warm-up).
// The feature-visualisation case does the same with visualizeFeature (features-bench.ts).
// Query: ?quick=1&rounds=3&filter=rise&batch=256&validation=1
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { configureTfjs } from '@webxai/core';
import { loadMnistCnn, mnistSamples } from '@webxai/models';
import { setKernelValidation } from '@webxai/shaders';
import {
  featureCases,
  metricCases,
  mnistCases,
  mobilenetCases,
  type BarePasses,
  type BrowserCase,
  type BrowserModel,
  type BrowserResult,
  type BrowserRow,
  type FeatureBrowserCase,
  type MetricBrowserCase,
} from '../src/browser-cases.js';
import type { TimelineRow } from '../src/gpu-timeline.js';
import { explainerBench } from './explainer-bench.js';
import { featureTimeline, featureTimes } from './features-bench.js';
import { heatmapBench } from './heatmap-bench.js';
import {
  countCalls,
  countModelCalls,
  counted,
  FIRST_BLOCK_WARMUP_MS,
  median,
  setRoundsGiven,
  type MethodTimes,
  type Times,
} from './measure.js';
import { matchesFilter } from '../src/case-filter.js';
import { medianInterval } from '../src/median.js';
import { measureMetrics, metricsTimeline } from './metrics-bench.js';
import { measureMethod, methodTimeline, type Subject } from './method-bench.js';
import { profileBench } from './profile-bench.js';
import { roundTripBench } from './roundtrip-bench.js';

declare global {
  interface Window {
    benchResult?: BrowserResult;
  }
}

const params = new URLSearchParams(location.search);
const quick = params.get('quick') === '1';
const rounds = Number(params.get('rounds') ?? (quick ? 2 : 3));
// Long rows on tfjs-cpu time the rounds asked for only when --rounds asks (src/round-policy.ts).
setRoundsGiven(params.has('rounds'));
const filter = (params.get('filter') ?? '').toLowerCase();
/** The filter asks for another table than the method rows (the per-kernel profile, round trips, GPU timelines). */
const otherTable = filter.startsWith('profile') || filter === 'roundtrip' || filter.startsWith('timeline');
/** tfjs flags to set after configureTfjs (experiments, e.g. {"WEBGPU_USE_NAIVE_CONV2D_DEBUG":true}). */
/** Images per model call for the perturbation and CAM cases (webxai's option and the bare passes alike). */
const batch = params.get('batch') ? Number(params.get('batch')) : undefined;
const tfjsFlags = JSON.parse(params.get('tfjsFlags') || '{}') as Record<string, number | boolean>;
/** URL of packages/models/fixtures on the bench's server (the real MobileNetV2 and the photos). */
const fixtures = params.get('fixtures') ?? '';
/** webxai's per-dispatch validation scopes: off unless asked (&validation=1), as in the Node bench. */
setKernelValidation(params.get('validation') === '1');

/**
 * A short row measures its webgpu and cpu rounds in alternating blocks, up to this many of each, while
 * its first block of both took less than SHORT_ROW_MS: the cpu column of the 28x28 single-image rows
 * swung 1.5-2x between runs (sessions 14-15), and a block of each side measured minutes apart
 * compares two different loads. Rows of longer rounds (Score-CAM, IG, MobileNetV2: 5 s and more a
 * block) keep one block, which keeps the full run's time.
 */
const SHORT_ROW_BLOCKS = 4;
const SHORT_ROW_MS = 4000;

/** Both backends' rounds of a case, and per block the ratio of the gpu median to the cpu median. */
interface BackendTimes<T extends Times = Times> {
  readonly gpu: T & Partial<Pick<MethodTimes, 'methodImages'>>;
  readonly cpu: Times;
  readonly blockRatios: number[];
}

function joined(blocks: readonly MethodTimes[]): MethodTimes {
  return {
    ...blocks[0]!,
    bare: blocks.flatMap((b) => b.bare),
    method: blocks.flatMap((b) => b.method),
    methodCalls: blocks[0]!.methodCalls,
    bareCalls: blocks[0]!.bareCalls,
  };
}

const spentMs = (t: Times) => [...t.bare, ...t.method].reduce((sum, ms) => sum + ms, 0);

/**
 * Blocks of `measureOn`'s rounds on webgpu, each followed by a block on cpu (see SHORT_ROW_BLOCKS);
 * the first webgpu block warms up longer (FIRST_BLOCK_WARMUP_MS), the others as usual.
 */
async function measureBackends(measureOn: (warmupMs?: number) => Promise<MethodTimes>): Promise<BackendTimes<MethodTimes>> {
  const gpu: MethodTimes[] = [];
  const cpu: MethodTimes[] = [];
  do {
    await tf.setBackend('webgpu');
    gpu.push(await measureOn(gpu.length === 0 ? FIRST_BLOCK_WARMUP_MS : undefined));
    await tf.setBackend('cpu');
    cpu.push(await measureOn());
  } while (gpu.length < SHORT_ROW_BLOCKS && spentMs(gpu[0]!) + spentMs(cpu[0]!) < SHORT_ROW_MS);
  const blockRatios = gpu.map((g, i) => median(g.method) / median(cpu[i]!.method));
  return { gpu: joined(gpu), cpu: joined(cpu), blockRatios };
}

/** The row of a case measured on webgpu (`gpu`) and on cpu. */
function rowOf(c: Pick<BrowserRow, 'name' | 'family' | 'goal'>, bare: BarePasses, { gpu, cpu, blockRatios }: BackendTimes): BrowserRow {
  const roundRatios = gpu.method.map((ms, i) => ms / gpu.bare[i]!);
  const interval = medianInterval(roundRatios);
  return {
    name: c.name,
    family: c.family,
    goal: c.goal,
    bare,
    ...(gpu.methodImages !== undefined && { methodImages: gpu.methodImages }),
    rounds,
    bareGpuMs: median(gpu.bare),
    gpuMs: median(gpu.method),
    // Median of the per-round ratios: each method run is paired with the bare passes just before it,
    // so load from other processes that drifts over the rounds hits both sides of each ratio.
    gpuRatio: median(roundRatios),
    ...(interval && { gpuRatioInterval: [interval.low, interval.high] as const }),
    bareCpuMs: median(cpu.bare),
    cpuMs: median(cpu.method),
    // Median of the blocks' ratios: each gpu block is paired with the cpu block right after it.
    gpuOverCpu: median(blockRatios),
    blocks: blockRatios.length,
    gpuCalls: gpu.methodCalls,
    bareCalls: gpu.bareCalls,
  };
}

async function adapterName(): Promise<string> {
  const adapter = await navigator.gpu.requestAdapter();
  const info = adapter?.info;
  return info ? [info.vendor, info.architecture, info.description].filter(Boolean).join(' / ') || 'unknown adapter' : 'no adapter';
}

async function predictedClass(model: tf.LayersModel, image: tf.Tensor4D): Promise<number> {
  const scores = model.predict(image) as tf.Tensor;
  const target = (await tf.argMax(scores, 1).data())[0]!;
  scores.dispose();
  return target;
}

async function mnistSubject(): Promise<Subject> {
  const model = await loadMnistCnn();
  const { images } = mnistSamples();
  const image = tf.slice(images, [0, 0, 0, 0], [1, 28, 28, 1]) as tf.Tensor4D;
  const background = tf.slice(images, 1) as tf.Tensor4D; // samples 1.., not the explained one
  images.dispose();
  countModelCalls(model);
  return { model, image, background, target: await predictedClass(model, image) };
}

/** The nsfwjs MobileNetV2 fixture (inputs in [0, 1]) and chelsea the cat resized to 224x224. */
async function mobilenetSubject(): Promise<Subject> {
  const model = await tf.loadLayersModel(`${fixtures}/nsfwjs-mobilenet-v2/model.json`);
  const bitmap = await createImageBitmap(await (await fetch(`${fixtures}/photos/chelsea.png`)).blob());
  const image = tf.tidy(() => tf.image.resizeBilinear(tf.browser.fromPixels(bitmap), [224, 224]).div(255).expandDims(0)) as tf.Tensor4D;
  bitmap.close();
  countModelCalls(model);
  return { model, image, target: await predictedClass(model, image) };
}

const loadSubject: Record<BrowserModel, () => Promise<Subject>> = { 'mnist-cnn': mnistSubject, 'mobilenet-v2': mobilenetSubject };

/** Whether the query's filter selects a case: its name or its family holds the filter text (or one of its '|' alternatives). */
function namedByFilter(c: { readonly name: string; readonly family: string }): boolean {
  return matchesFilter(filter, c.name, c.family);
}

/** The cases the query selects: by name or family; MobileNetV2's only in the full run or when the filter names them. */
function selectedCases(camChannels: number): BrowserCase[] {
  if (otherTable) return [];
  const mobilenet = (!quick && filter === '') || filter.includes('mobilenet') ? mobilenetCases() : [];
  return [
    ...mnistCases(quick, camChannels, batch).filter(namedByFilter),
    ...mobilenet.filter((c) => namedByFilter(c) || filter.includes('mobilenet')),
  ];
}

/** The metrics cases in every MNIST run, else those the filter names (or all for 'metrics'). */
function selectedMetricCases(): MetricBrowserCase[] {
  if (otherTable) return [];
  return metricCases(quick, batch).filter(namedByFilter);
}

/** The feature case in every unfiltered run, else when the filter names it or 'features'. */
function selectedFeatureCases(): FeatureBrowserCase[] {
  if (otherTable) return [];
  return featureCases(quick).filter(namedByFilter);
}

/**
 * `--filter timeline`: the feature cases' GPU timelines; `--filter "timeline <name>"`: those of the
 * MNIST method and metrics cases whose name holds <name> (e.g. "timeline eigen-cam", "timeline
 * deletion"), one case after the other.
 */
async function timelines(subject: Subject, camChannels: number): Promise<TimelineRow[]> {
  const named = filter.slice('timeline'.length).trim();
  const rows: TimelineRow[] = [];
  if (!named) for (const c of featureCases(quick)) rows.push(...(await featureTimeline(c, rounds)));
  const isNamed = (c: { readonly name: string }) => named !== '' && c.name.toLowerCase().includes(named);
  for (const c of mnistCases(quick, camChannels, batch).filter(isNamed)) rows.push(...(await methodTimeline(subject, c, rounds)));
  for (const c of metricCases(quick, batch).filter(isNamed)) rows.push(...(await metricsTimeline(subject, c, rounds)));
  return rows;
}

function logRow(row: BrowserRow): BrowserRow {
  console.log(`bench-row ${JSON.stringify(row)}`);
  return row;
}

async function run(): Promise<BrowserResult> {
  configureTfjs();
  for (const [flag, value] of Object.entries(tfjsFlags)) tf.env().set(flag, value);
  countCalls();
  if (!(await tf.setBackend('webgpu'))) throw new Error('tfjs webgpu backend failed to initialise');
  const mnist = await mnistSubject();
  const { model, image } = mnist;
  const camChannels = model.getLayer('conv3').outputShape.at(-1) as number;
  // Loaded when a case first needs them (MobileNetV2 takes a while on a software GPU).
  const subjects: Partial<Record<BrowserModel, Subject>> = { 'mnist-cnn': mnist };
  const rows: BrowserRow[] = [];
  for (const c of selectedCases(camChannels)) {
    await tf.setBackend('webgpu');
    const subject = (subjects[c.model] ??= await loadSubject[c.model]());
    const times = await measureBackends((warmupMs) => measureMethod(subject, c, rounds, warmupMs));
    rows.push(logRow(rowOf(c, times.gpu.passes, times)));
  }
  for (const c of selectedMetricCases()) {
    await tf.setBackend('webgpu');
    const times = await measureBackends((warmupMs) => measureMetrics(mnist, c, rounds, warmupMs));
    rows.push(logRow(rowOf(c, times.gpu.passes, times)));
  }
  for (const c of selectedFeatureCases()) {
    const { gpu, cpu } = await featureTimes(c, rounds);
    rows.push(logRow(rowOf(c, c.bare, { gpu, cpu, blockRatios: [median(gpu.method) / median(cpu.method)] })));
  }
  await tf.setBackend('webgpu');
  // The element rows run in the full mode (empty filter) and when the filter names them.
  const explainerRows = 'xai-explainer'.includes(filter) ? await explainerBench(model, image, quick, rounds, counted) : undefined;
  explainerRows?.forEach((row) => console.log(`bench-explainer ${JSON.stringify(row)}`));
  // `profile` profiles the MNIST CNN, `profile mobilenet` the MobileNetV2 fixture (batch 1 by default).
  const profiled = filter.startsWith('profile')
    ? filter.includes('mobilenet')
      ? await mobilenetSubject()
      : subjects['mnist-cnn']!
    : undefined;
  const profileRows = profiled
    ? await profileBench(profiled.model, profiled.image, profiled.target, batch ?? (profiled.model === model ? 16 : 1), rounds)
    : undefined;
  if (profiled && profiled.model !== model) {
    profiled.image.dispose();
    profiled.model.dispose();
  }
  profileRows?.forEach((row) => console.log(`bench-profile ${JSON.stringify(row)}`));
  // `timeline [<case>]`: the feature case's (or the named method case's) dispatches timed on the GPU, per kernel (not in the full run: it changes the passes).
  const timelineRows = filter.startsWith('timeline') ? await timelines(mnist, camChannels) : undefined;
  for (const subject of Object.values(subjects)) {
    tf.dispose([subject.image, ...(subject.background ? [subject.background] : [])]);
    subject.model.dispose();
  }
  const roundTripRows = filter === '' || filter === 'roundtrip' ? await roundTripBench(quick ? 20 : 50) : undefined;
  const heatmapRows = 'xai-heatmap'.includes(filter) ? await heatmapBench(quick, rounds, counted) : undefined;
  heatmapRows?.forEach((row) => console.log(`bench-heatmap ${JSON.stringify(row)}`));
  return {
    adapter: await adapterName(),
    userAgent: navigator.userAgent,
    rows,
    ...(heatmapRows && { heatmapRows }),
    ...(explainerRows && { explainerRows }),
    ...(profileRows && { profileRows }),
    ...(roundTripRows && { roundTripRows }),
    ...(timelineRows && { timelineRows }),
  };
}

run().then(
  (result) => {
    window.benchResult = result;
    document.body.dataset.state = 'done';
  },
  (error: unknown) => {
    window.benchResult = { adapter: '', userAgent: navigator.userAgent, rows: [], error: String((error as Error)?.stack ?? error) };
    document.body.dataset.state = 'failed';
  },
);
