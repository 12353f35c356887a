// SPDX-License-Identifier: Apache-2.0
import { throwIfAborted } from '@webxai/shaders';
import { filterSuites, matchesFilter } from './case-filter.js';

/**
 * The benchmark harness: suites set up cases, the harness warms each case up, times repeated runs
 * until GPU completion (`device.queue.onSubmittedWorkDone()`), and summarises them (median, p10,
 * p90, throughput). Timings are wall-clock per run, so they include submit and completion latency.
 */

/** What a suite gets to set itself up. */
export interface BenchContext {
  readonly device: GPUDevice;
  /** CI-sized problems and few repetitions. */
  readonly quick: boolean;
  /** tfjs env flags the tfjs-backed suites set after configureTfjs (--tfjs-flags); none when omitted. */
  readonly tfjsFlags?: Readonly<Record<string, boolean | number>>;
}

/** One timed operation. */
export interface BenchCase {
  /** Unique within its suite, e.g. `sum 64x224x224x3`. */
  readonly name: string;
  /** Encodes and submits one run's GPU work (the harness awaits completion), or does CPU work. */
  readonly run: () => Promise<void> | void;
  /** Elements processed per run (for elements/s). */
  readonly elements?: number;
  /** Bytes read + written per run (for GB/s). */
  readonly bytes?: number;
  /** Operations (e.g. dispatches) per run: reported as time per operation. */
  readonly operations?: number;
  /** Overrides of the run policy for slow cases (e.g. a 64-image MobileNetV2 backward pass). */
  readonly policy?: Partial<RunPolicy>;
  /** Extra numbers for the JSON report (e.g. peak GPU memory), read after the case has run. */
  readonly metrics?: () => Readonly<Record<string, number>>;
}

/** A set of cases sharing setup; registered in suites/index.ts. */
export interface BenchSuite {
  readonly name: string;
  readonly description: string;
  /**
   * Skipped by --quick (a big reference model whose smallest useful case takes minutes on a software
   * GPU); a --filter naming the suite ("gradient-mobilenet/...") runs it anyway.
   */
  readonly fullOnly?: boolean;
  /** Allocates what the cases need; `dispose` frees it once the suite has run. */
  readonly setup: (context: BenchContext) => Promise<SuiteInstance> | SuiteInstance;
}

export interface SuiteInstance {
  readonly cases: readonly BenchCase[];
  readonly dispose?: () => Promise<void> | void;
}

/** Repetition policy. */
export interface RunPolicy {
  readonly warmupRuns: number;
  readonly minRuns: number;
  readonly maxRuns: number;
  /** Stop adding runs once this much time was spent on a case (after minRuns). */
  readonly budgetMs: number;
}

export const QUICK_POLICY: RunPolicy = { warmupRuns: 1, minRuns: 3, maxRuns: 10, budgetMs: 100 };
// Full mode: one warm-up (compiles every pipeline; later runs reuse them) and at least 5 timed runs, more
// for fast cases within a second. With 3 warm-ups and 10 runs the full bench took over an hour here.
export const FULL_POLICY: RunPolicy = { warmupRuns: 1, minRuns: 5, maxRuns: 200, budgetMs: 1_000 };

/** Summary of one case. Times in milliseconds. */
export interface CaseResult {
  readonly suite: string;
  readonly name: string;
  readonly runs: number;
  readonly medianMs: number;
  readonly p10Ms: number;
  readonly p90Ms: number;
  readonly meanMs: number;
  readonly minMs: number;
  readonly elements?: number;
  readonly bytes?: number;
  readonly operations?: number;
  /** elements / median time. */
  readonly elementsPerSecond?: number;
  /** bytes / median time / 1e9. */
  readonly gbPerSecond?: number;
  /** median time / operations. */
  readonly msPerOperation?: number;
  /** gbPerSecond / the plain copy kernel's GB/s in the same run (report.ts withCopyFraction). */
  readonly ofCopy?: number;
  /** The case's extra numbers ({@link BenchCase.metrics}). */
  readonly metrics?: Readonly<Record<string, number>>;
}

/** Linear-interpolated quantile (q in [0, 1]) of ascending `sorted`. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const position = (sorted.length - 1) * q;
  const lo = Math.floor(position);
  const hi = Math.ceil(position);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (position - lo);
}

/** Times one case under `policy`, awaiting GPU completion after every run. */
export async function timeCase(device: GPUDevice, suite: string, bench: BenchCase, policy: RunPolicy): Promise<CaseResult> {
  const once = async () => {
    const start = performance.now();
    await bench.run();
    await device.queue.onSubmittedWorkDone();
    return performance.now() - start;
  };
  for (let i = 0; i < policy.warmupRuns; i++) await once();
  const samples: number[] = [];
  let spent = 0;
  while (samples.length < policy.minRuns || (samples.length < policy.maxRuns && spent < policy.budgetMs)) {
    const ms = await once();
    samples.push(ms);
    spent += ms;
  }
  samples.sort((a, b) => a - b);
  const median = quantile(samples, 0.5);
  const seconds = median / 1e3;
  return {
    suite,
    name: bench.name,
    runs: samples.length,
    medianMs: median,
    p10Ms: quantile(samples, 0.1),
    p90Ms: quantile(samples, 0.9),
    meanMs: samples.reduce((s, v) => s + v, 0) / samples.length,
    minMs: samples[0]!,
    ...(bench.elements !== undefined && { elements: bench.elements, elementsPerSecond: bench.elements / seconds }),
    ...(bench.bytes !== undefined && { bytes: bench.bytes, gbPerSecond: bench.bytes / seconds / 1e9 }),
    ...(bench.operations !== undefined && { operations: bench.operations, msPerOperation: median / bench.operations }),
    ...(bench.metrics && { metrics: bench.metrics() }),
  };
}

/** Options for {@link runSuites}. */
export interface RunOptions {
  readonly device: GPUDevice;
  readonly quick: boolean;
  /** Case-insensitive substring matched against `suite/case`; all cases when omitted. */
  readonly filter?: string;
  /** Handed to every suite's setup ({@link BenchContext.tfjsFlags}). */
  readonly tfjsFlags?: BenchContext['tfjsFlags'];
  /** Called after each case (progress output). */
  readonly onResult?: (result: CaseResult) => void;
  /** Called after each suite that ran, with its wall time including setup and dispose. */
  readonly onSuite?: (suite: string, ms: number) => void;
  readonly signal?: AbortSignal;
}

/** Sets up every suite that has a matching case, times its cases and disposes it. */
export async function runSuites(suites: readonly BenchSuite[], options: RunOptions): Promise<CaseResult[]> {
  const { device, quick, filter, tfjsFlags, onResult, onSuite, signal } = options;
  const policy = quick ? QUICK_POLICY : FULL_POLICY;
  const results: CaseResult[] = [];
  // A filter "suite/case" names its suite: the others are not even set up (setup loads models).
  const namedSuites = filterSuites(filter);
  for (const suite of suites) {
    if (namedSuites && !namedSuites.some((part) => suite.name.toLowerCase().endsWith(part))) continue;
    if (quick && suite.fullOnly && namedSuites === undefined) continue;
    throwIfAborted(signal, 'benchmarks');
    const started = performance.now();
    const instance = await suite.setup({ device, quick, ...(tfjsFlags && { tfjsFlags }) });
    try {
      for (const bench of instance.cases) {
        if (!matchesFilter(filter, `${suite.name}/${bench.name}`)) continue;
        throwIfAborted(signal, 'benchmarks');
        const result = await timeCase(device, suite.name, bench, { ...policy, ...bench.policy });
        results.push(result);
        onResult?.(result);
      }
    } finally {
      await instance.dispose?.();
    }
    onSuite?.(suite.name, performance.now() - started);
  }
  return results;
}
