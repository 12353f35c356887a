// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { summariseTimeline, TIMELINE_BUSY_ROW, TIMELINE_IDLE_ROW, TIMELINE_WALL_ROW, timelineRows } from './gpu-timeline.js';

describe('summariseTimeline', () => {
  it('sums GPU time per kernel, dearest first, and the idle time between dispatches', () => {
    // a: 0-2 ms, b: 3-4 ms (1 ms idle before), a: 4-7 ms (none).
    const ms = [0, 2, 3, 4, 4, 7].map((t) => t * 1e6);
    const summary = summariseTimeline(['a', 'b', 'a'], ms);
    expect(summary.kernels).toEqual([
      { kernel: 'a', dispatches: 2, gpuMs: 5 },
      { kernel: 'b', dispatches: 1, gpuMs: 1 },
    ]);
    expect(summary.busyMs).toBe(6);
    expect(summary.idleMs).toBe(1);
  });

  it('counts no idle time for overlapping dispatches', () => {
    expect(summariseTimeline(['a', 'b'], [0, 3e6, 2e6, 4e6]).idleMs).toBe(0);
  });

  it('rejects timestamps that do not pair with the dispatches', () => {
    expect(() => summariseTimeline(['a', 'b'], [0, 1, 2])).toThrow(/3 timestamps for 2 dispatches/);
  });
});

describe('timelineRows', () => {
  it("takes each kernel's median over the runs (0 where a run lacks it), dearest first, then the totals' medians", () => {
    // Kernel a for `a` ms, then b (if any) for `b` ms right after it.
    const run = (a: number, b: number | undefined) =>
      summariseTimeline(b === undefined ? ['a'] : ['a', 'b'], b === undefined ? [0, a * 1e6] : [0, a * 1e6, a * 1e6, (a + b) * 1e6]);
    const runs = [
      { summary: run(1, 4), wallMs: 6 },
      { summary: run(2, undefined), wallMs: 3 },
      { summary: run(1, 5), wallMs: 5 },
    ];
    // a's median is 1 (runs 1, 2, 1), b's 4 (runs 4, 0, 5): b first.
    expect(timelineRows('bare', runs)).toEqual([
      { side: 'bare', kernel: 'b', dispatches: 1, gpuMs: 4 },
      { side: 'bare', kernel: 'a', dispatches: 1, gpuMs: 1 },
      { side: 'bare', kernel: TIMELINE_BUSY_ROW, dispatches: 2, gpuMs: 5 },
      { side: 'bare', kernel: TIMELINE_IDLE_ROW, dispatches: 2, gpuMs: 0 },
      { side: 'bare', kernel: TIMELINE_WALL_ROW, dispatches: 2, gpuMs: 5 },
    ]);
  });
});
