// SPDX-License-Identifier: Apache-2.0
// What the tfjs-backed suites share: tfjs on the webgpu backend set up as webxai expects, timing
// to GPU completion, and the median of the recorded runs.
import type * as tfNamespace from '@tensorflow/tfjs';
import type { BenchContext } from '../harness.js';
import { intervalHolds, median, medianInterval } from '../median.js';

export { median };

/** tfjs (webgpu backend, configured by core's configureTfjs) and @webxai/core, loaded. */
export interface WebGpuTfjs {
  readonly tf: typeof tfNamespace;
  readonly core: typeof import('@webxai/core');
  /** Resolves when every op tfjs and webxai have queued has finished on the GPU. */
  readonly settle: () => Promise<void>;
}

/**
 * Imports tfjs, its webgpu backend and @webxai/core and selects the webgpu backend. The backend
 * registers itself at import time only if navigator.gpu exists (the CLI has installed Dawn by
 * now), so the imports happen here, not at the top of a suite.
 */
export async function webgpuTfjs(context: Pick<BenchContext, 'tfjsFlags'>): Promise<WebGpuTfjs> {
  const tf = await import('@tensorflow/tfjs');
  await import('@tensorflow/tfjs-backend-webgpu');
  const core = await import('@webxai/core');
  core.configureTfjs();
  // --tfjs-flags '{"WEBXAI_WEBGPU_MEAN_AS_AVG_POOL":false}' measures a setting against configureTfjs's.
  for (const [flag, value] of Object.entries(context.tfjsFlags ?? {})) tf.env().set(flag, value);
  if (!(await tf.setBackend('webgpu'))) throw new Error('tfjs webgpu backend failed to initialise');
  const settle = async () => {
    core.flushTfjs();
    await core.tfjsDevice().queue.onSubmittedWorkDone();
  };
  return { tf, core, settle };
}

/** The shipped MNIST CNN, its first sample digit ([1, 28, 28, 1]) and the class it predicts; the caller disposes both. */
export async function mnistDigit(
  tf: typeof tfNamespace,
): Promise<{ model: tfNamespace.LayersModel; image: tfNamespace.Tensor4D; target: number }> {
  const { loadMnistCnn, mnistSamples } = await import('@webxai/models');
  const model = await loadMnistCnn();
  const samples = mnistSamples();
  const image = tf.tidy<tfNamespace.Tensor4D>(() => samples.images.slice([0, 0, 0, 0], [1, 28, 28, 1]));
  samples.images.dispose();
  const logits = model.predict(image) as tfNamespace.Tensor;
  const target = (await tf.argMax(logits, 1).data())[0]!;
  logits.dispose();
  return { model, image, target };
}

/**
 * Per-key run records (times, or {wall, cpu} costs) where each key's first run is the warm-up and is
 * dropped: it compiles pipelines for every batch shape, so it measures the compiler, not the method.
 * One recorder per suite replaces each suite's own "skip the first run, keep the rest" bookkeeping.
 */
export class RunRecorder<T = number> {
  readonly #runs = new Map<string, T[]>();
  readonly #dropFirstRun: boolean;

  /** @param dropFirstRun false when the suite runs its warm-up outside the recorder (or has none). */
  constructor(dropFirstRun = true) {
    this.#dropFirstRun = dropFirstRun;
  }

  /** Records `value` under `key` unless it is the key's first run (dropped). Returns `value`. */
  record(key: string, value: T): T {
    const runs = this.#runs.get(key);
    if (runs) runs.push(value);
    else this.#runs.set(key, this.#dropFirstRun ? [] : [value]);
    return value;
  }

  /** Whether `key` has run at least once (its warm-up, when dropped, counts). */
  hasRun(key: string): boolean {
    return this.#runs.has(key);
  }

  /** Whether any key has a kept run. */
  anyTimed(): boolean {
    return [...this.#runs.values()].some((runs) => runs.length > 0);
  }

  /** The kept runs of `key`, oldest first; empty when it has not run past its warm-up. */
  timed(key: string): readonly T[] {
    return this.#runs.get(key) ?? [];
  }
}

/** The median of a number recorder's kept runs of `key` (NaN when there are none). */
/**
 * The median of the per-run ratios numerators[i] / denominators[i]: each run of a method paired
 * with the bare passes measured right beside it, so load drifting across the runs cancels.
 */
export function medianPairedRatio(numerators: readonly number[], denominators: readonly number[]): number {
  return median(pairedRatios(numerators, denominators));
}

/** Each run's ratio numerators[i] / denominators[i]. */
function pairedRatios(numerators: readonly number[], denominators: readonly number[]): number[] {
  return numerators.map((value, i) => value / denominators[i]!);
}

/** How a summary line states a ratio against its bound. */
export function boundVerdict(ratio: number, bound: number): string {
  return Number.isNaN(ratio) ? 'not run' : ratio <= bound ? 'holds' : 'DOES NOT HOLD';
}

/**
 * How a summary line states an interleaved row (each run of the method beside a run of its bare
 * passes): the median paired ratio, judged against `bound`, then the ratio of the medians. The bound
 * is judged on the paired ratio, as the browser bench's gpu/bare: load drifting across the runs
 * cancels in it, while the ratio of medians follows whichever side a few slow runs hit (cascading
 * randomisation, 21 runs, same build: ratio of medians 0.997x-1.233x over four runs, paired
 * 1.072x-1.115x; session 47).
 */
export function interleavedRatio(method: readonly number[], bare: readonly number[], bound: number): string {
  const ratios = pairedRatios(method, bare);
  const paired = median(ratios);
  const ofMedians = median(method) / median(bare);
  return `median paired ratio ${paired.toFixed(3)}x${intervalText(ratios, bound)} (bound ${bound}x: ${boundVerdict(paired, bound)}); ratio of medians ${ofMedians.toFixed(3)}x over ${method.length} runs`;
}

/**
 * The 95% interval of the paired ratios' median (medianInterval), as ", 95% interval 1.02-1.21x", and
 * whether `bound` lies inside it: then this run cannot tell the row from its bound, whichever side
 * the median fell on. Empty below 6 runs (no interval at 95%).
 */
function intervalText(ratios: readonly number[], bound: number): string {
  const interval = medianInterval(ratios);
  if (!interval) return '';
  const inside = intervalHolds(interval, bound) ? ', the bound inside it' : '';
  return `, 95% interval ${interval.low.toFixed(3)}-${interval.high.toFixed(3)}x${inside}`;
}

export function medianOf(recorder: RunRecorder, key: string): number {
  return median(recorder.timed(key));
}

/** Milliseconds `work` takes until its GPU work has finished (`settle` waits for the queue). */
export async function msUntilSettled(work: () => Promise<unknown>, settle: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await work();
  await settle();
  return performance.now() - start;
}

/**
 * A positive integer from the environment variable `name` (a knob for a shorter or longer run), or
 * `fallback` when it is unset. A value that is not a positive integer stops the run: a typo must not
 * silently measure the default.
 */
export function envCount(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return value;
}

/** Wall-clock and process CPU milliseconds of one piece of work (CPU time counts every thread: ORT's pool, Dawn's). */
export interface Cost {
  readonly wallMs: number;
  readonly cpuMs: number;
}

/** The {@link Cost} of `work`. */
export async function costOf(work: () => Promise<unknown>): Promise<Cost> {
  const [wall, cpu] = [performance.now(), process.cpuUsage()];
  await work();
  const used = process.cpuUsage(cpu);
  return { wallMs: performance.now() - wall, cpuMs: (used.user + used.system) / 1000 };
}

/**
 * What a channel-batched CAM's bare side runs: the `target` scores of `count` images through
 * `forward`, in batches of `full`'s size (`full` holds one whole batch; a ragged last batch is its
 * first rows), after the score rows in `first` (e.g. the image's own forward pass), all read back once.
 */
export async function readTargetScoresInBatches(
  tf: typeof tfNamespace,
  forward: (batch: tfNamespace.Tensor4D) => tfNamespace.Tensor,
  full: tfNamespace.Tensor4D,
  count: number,
  target: number,
  first: readonly tfNamespace.Tensor[] = [],
): Promise<void> {
  const batch = full.shape[0];
  const rows = [...first];
  for (let start = 0; start < count; start += batch) {
    const size = Math.min(batch, count - start);
    rows.push(
      tf.tidy(() =>
        tf.slice(forward(size === batch ? full : tf.slice<tfNamespace.Rank, tfNamespace.Tensor4D>(full, 0, size)), [0, target], [size, 1]),
      ),
    );
  }
  const all = tf.concat(rows);
  tf.dispose(rows);
  await all.data();
  all.dispose();
}
