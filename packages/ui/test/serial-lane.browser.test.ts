// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { SerialLane } from '../src/shared/serial-lane.js';

/** A promise and the function that resolves it. */
function deferred<T = void>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('SerialLane', () => {
  it('runs jobs one after another in queue order, even when an earlier one is slow or fails', async () => {
    const lane = new SerialLane({ isConnected: true });
    const log: string[] = [];
    const gate = deferred();
    const a = lane.run(async () => {
      log.push('a start');
      await gate.promise;
      log.push('a end');
      return 1;
    });
    const b = lane.run(() => {
      log.push('b');
      throw new Error('b failed');
    });
    const c = lane.run(() => (log.push('c'), 'c'));
    await Promise.resolve();
    expect(log).toEqual(['a start']); // b waits for a
    gate.resolve();
    expect(await a).toBe(1);
    await expect(b).rejects.toThrow('b failed'); // the job's own error reaches its caller ...
    expect(await c).toBe('c'); // ... and does not stop the lane
    expect(log).toEqual(['a start', 'a end', 'b', 'c']);
  });

  it('idle waits for every job queued so far and never rejects', async () => {
    const lane = new SerialLane({ isConnected: true });
    const gate = deferred();
    let done = false;
    lane.run(() => gate.promise.then(() => (done = true))).catch(() => undefined);
    lane.run(() => Promise.reject(new Error('x'))).catch(() => undefined);
    const idle = lane.idle;
    gate.resolve();
    await idle;
    expect(done).toBe(true);
  });

  it('runUnlessSuperseded skips a job whose signal was aborted, or whose host left the page, before its turn', async () => {
    const host = { isConnected: true };
    const lane = new SerialLane(host);
    const gate = deferred();
    const ran: string[] = [];
    void lane.run(() => gate.promise);
    const older = new AbortController();
    const skipped = lane.runUnlessSuperseded(older.signal, () => ran.push('older'));
    const newer = new AbortController();
    const kept = lane.runUnlessSuperseded(newer.signal, () => (ran.push('newer'), 'shown'));
    older.abort(); // a newer run took over while the older one waited
    gate.resolve();
    expect(await skipped).toBeUndefined();
    expect(await kept).toBe('shown');
    expect(ran).toEqual(['newer']);
    expect(lane.superseded(newer.signal)).toBe(false);
    host.isConnected = false;
    expect(lane.superseded(newer.signal)).toBe(true);
    expect(await lane.runUnlessSuperseded(newer.signal, () => ran.push('after removal'))).toBeUndefined();
    expect(ran).toEqual(['newer']);
  });
});
