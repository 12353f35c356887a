// SPDX-License-Identifier: Apache-2.0
// The browser bench's GPU timeline (`--browser --filter timeline`): every dispatch of a run timed on
// the GPU by timestamp queries (browser/gpu-timeline.ts records them), summed per kernel, with the
// GPU's busy time and the idle time between dispatches. tf.profile sees only tfjs's own programs;
// this sees webxai's kernels too, and whether the GPU ever waits for the page.
import { median } from './median.js';

/** One kernel's share of a run: its dispatches and their summed GPU time. */
export interface TimelineKernel {
  readonly kernel: string;
  readonly dispatches: number;
  readonly gpuMs: number;
}

/** One run's timeline, summed. */
export interface TimelineSummary {
  /** Kernels by summed GPU time, dearest first. */
  readonly kernels: TimelineKernel[];
  /** Sum of every dispatch's GPU time. */
  readonly busyMs: number;
  /** Time between dispatches (the end of one to the start of the next): the GPU waiting for work. */
  readonly idleMs: number;
}

/**
 * Sums one run: `labels[i]` names dispatch i, `stamps` holds its start and end (ns) at 2i and 2i + 1,
 * in submission order.
 * @throws Error when the stamps do not pair with the labels.
 */
export function summariseTimeline(labels: readonly string[], stamps: ArrayLike<number>): TimelineSummary {
  if (stamps.length !== 2 * labels.length)
    throw new Error(`gpu timeline: ${stamps.length} timestamps for ${labels.length} dispatches; expected two each`);
  const byKernel = new Map<string, { dispatches: number; ns: number }>();
  let busy = 0;
  let idle = 0;
  labels.forEach((kernel, i) => {
    const ns = stamps[2 * i + 1]! - stamps[2 * i]!;
    busy += ns;
    if (i > 0) idle += Math.max(0, stamps[2 * i]! - stamps[2 * i - 1]!);
    const entry = byKernel.get(kernel) ?? { dispatches: 0, ns: 0 };
    byKernel.set(kernel, { dispatches: entry.dispatches + 1, ns: entry.ns + ns });
  });
  const kernels = [...byKernel].map(([kernel, { dispatches, ns }]) => ({ kernel, dispatches, gpuMs: ns / 1e6 }));
  return { kernels: kernels.sort((a, b) => b.gpuMs - a.gpuMs), busyMs: busy / 1e6, idleMs: idle / 1e6 };
}

/** One row of the timeline table: a kernel's (or a total's) median per run on one side of a case. */
export interface TimelineRow {
  /** 'bare' (the tfjs passes) or the method's name. */
  readonly side: string;
  readonly kernel: string;
  /** Dispatches per run (the first run's; a kernel's count does not change between runs). */
  readonly dispatches: number;
  /** Median over the runs of the kernel's summed GPU time per run (0 in a run without it). */
  readonly gpuMs: number;
}

/** The totals rows of {@link timelineRows}: not kernels, left out of any per-kernel sum. */
export const TIMELINE_BUSY_ROW = '(busy: every dispatch)';
export const TIMELINE_IDLE_ROW = '(idle between dispatches)';
export const TIMELINE_WALL_ROW = '(wall time of the run)';

/** One timed run of one side: its summed timeline and its wall time (until the GPU was done). */
export interface TimelineRun {
  readonly summary: TimelineSummary;
  readonly wallMs: number;
}

/** Per-kernel medians of `runs` of one side (dearest first), then the totals rows. */
export function timelineRows(side: string, runs: readonly TimelineRun[]): TimelineRow[] {
  const first = runs[0]?.summary.kernels ?? [];
  const kernelRows = first
    .map(({ kernel, dispatches }) => ({
      side,
      kernel,
      dispatches,
      gpuMs: median(runs.map((r) => r.summary.kernels.find((k) => k.kernel === kernel)?.gpuMs ?? 0)),
    }))
    .sort((a, b) => b.gpuMs - a.gpuMs);
  const dispatches = first.reduce((sum, k) => sum + k.dispatches, 0);
  const total = (kernel: string, of: (r: TimelineRun) => number) => ({ side, kernel, dispatches, gpuMs: median(runs.map(of)) });
  return [
    ...kernelRows,
    total(TIMELINE_BUSY_ROW, (r) => r.summary.busyMs),
    total(TIMELINE_IDLE_ROW, (r) => r.summary.idleMs),
    total(TIMELINE_WALL_ROW, (r) => r.wallMs),
  ];
}
