// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { createDawnPollScheduler, type PollingClock } from './dawn-polling.js';

/** A clock whose queues run only when the test says so; `now` is set by hand. */
function fakeClock() {
  const ran: string[] = [];
  const queue: { via: string; run: () => void }[] = [];
  let time = 0;
  const clock: PollingClock = {
    now: () => time,
    immediate: (callback) => queue.push({ via: 'immediate', run: () => callback() }),
    afterOneMs: (callback) => queue.push({ via: 'timer', run: () => callback() }),
  };
  const runNext = () => {
    const next = queue.shift();
    if (!next) throw new Error('nothing queued');
    ran.push(next.via);
    next.run();
  };
  return { clock, ran, runNext, advance: (ms: number) => (time += ms), queued: () => queue.length };
}

/** Dawn's poll: re-queues itself through `schedule` while GPU work is pending. */
function dawnLikePoll(schedule: (callback: () => void) => unknown, pending: () => boolean) {
  const poll = () => {
    if (pending()) schedule(poll);
  };
  return poll;
}

describe('createDawnPollScheduler', () => {
  it('polls at once for the first spinMs of a wait, then through the 1 ms timer', () => {
    const { clock, ran, runNext, advance } = fakeClock();
    const scheduler = createDawnPollScheduler(clock, 0.5);
    let remaining = 6;
    const poll = dawnLikePoll(
      (cb) => scheduler.schedule(cb),
      () => --remaining > 0,
    );
    scheduler.schedule(poll); // the wait starts at t = 0
    runNext(); // t = 0: re-queued at once
    advance(0.5);
    runNext(); // t = 0.5: still within the spin window
    advance(0.1);
    runNext(); // t = 0.6: backs off
    runNext();
    runNext();
    expect(ran).toEqual(['immediate', 'immediate', 'immediate', 'timer', 'timer']);
    expect(scheduler.stats()).toEqual({ polls: 6, deferred: 3 }); // the sixth poll is queued, on the timer
  });

  it('starts a new wait, polled at once again, when a poll is queued from outside a poll', () => {
    const { clock, ran, runNext, advance, queued } = fakeClock();
    const scheduler = createDawnPollScheduler(clock, 0.5);
    let remaining = 2;
    const poll = dawnLikePoll(
      (cb) => scheduler.schedule(cb),
      () => --remaining > 0,
    );
    scheduler.schedule(poll);
    advance(5);
    runNext(); // t = 5 inside the first wait: deferred
    runNext();
    expect(queued()).toBe(0);
    scheduler.schedule(() => undefined); // a new GPU promise, t = 5
    runNext();
    expect(ran).toEqual(['immediate', 'timer', 'immediate']);
  });

  it('passes the callback its arguments and leaves the flag clear when a poll throws', () => {
    const { clock, ran, runNext, advance } = fakeClock();
    const scheduler = createDawnPollScheduler(clock, 0.5);
    const seen: unknown[] = [];
    scheduler.schedule(
      (...args: unknown[]) => {
        seen.push(...args);
        throw new Error('poll failed');
      },
      'a',
      2,
    );
    expect(() => runNext()).toThrow('poll failed');
    advance(10);
    scheduler.schedule(() => undefined); // queued from outside a poll: a new wait, not deferred
    runNext();
    expect(seen).toEqual(['a', 2]);
    expect(ran).toEqual(['immediate', 'immediate']);
  });
});
