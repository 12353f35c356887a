// SPDX-License-Identifier: Apache-2.0
// Dawn's Node bindings (npm `webgpu`) wait for GPU work by polling: while any promise of theirs
// (mapAsync, onSubmittedWorkDone, pipeline creation) is pending, each poll re-queues itself with the
// global setImmediate, a native callback created by the bindings. That keeps the main thread at 100%
// of a core for as long as the GPU works. With a software GPU (lavapipe) the GPU's own threads then
// lose that core: on a 2-core machine a visualizeFeature step took 59 ms spinning and 34 ms with the
// polls spaced 1 ms apart. This module spaces them out once a wait has lasted a little while, and
// touches no other setImmediate caller.

/** 'backoff': poll at once for the first `spinMs` of a wait, then every millisecond. 'spin': Dawn as shipped. */
export type DawnPolling = 'backoff' | 'spin';

export const DAWN_POLLING_MODES: readonly DawnPolling[] = ['backoff', 'spin'];

/** How long a wait polls back to back before it backs off. Short waits (a readback on a real GPU) stay as fast as before. */
export const DEFAULT_SPIN_MS = 0.5;

/** Counts since the backoff was installed: Dawn's polls, and how many of them were deferred by a timer. */
export interface DawnPollingStats {
  readonly polls: number;
  readonly deferred: number;
}

type ImmediateCallback = (...args: unknown[]) => void;
type Schedule = (callback: ImmediateCallback) => unknown;

/** What the scheduler needs from its host; Node's timers in production, fakes in tests. */
export interface PollingClock {
  readonly now: () => number;
  readonly immediate: Schedule;
  /** Runs the callback after about a millisecond (Node's shortest timer). */
  readonly afterOneMs: Schedule;
}

/** Bindings' callbacks are native functions; user code's never are (a bound function is the exception, and it is only ever delayed by 1 ms). */
function isNativeFunction(callback: unknown): callback is ImmediateCallback {
  return typeof callback === 'function' && Function.prototype.toString.call(callback).endsWith('{ [native code] }');
}

/**
 * Schedules Dawn's polls: a poll queued from inside the previous one continues a wait, and once that
 * wait is older than `spinMs` it runs after a 1 ms timer instead of at once.
 */
export function createDawnPollScheduler(clock: PollingClock, spinMs = DEFAULT_SPIN_MS) {
  let insidePoll = false;
  let waitStart = 0;
  let polls = 0;
  let deferred = 0;
  const schedule = (callback: ImmediateCallback, ...args: unknown[]): unknown => {
    const now = clock.now();
    if (!insidePoll) waitStart = now;
    polls++;
    const poll = () => {
      insidePoll = true;
      try {
        callback(...args);
      } finally {
        insidePoll = false;
      }
    };
    if (now - waitStart <= spinMs) return clock.immediate(poll);
    deferred++;
    return clock.afterOneMs(poll);
  };
  const stats = (): DawnPollingStats => ({ polls, deferred });
  return { schedule, stats };
}

let installed: ReturnType<typeof createDawnPollScheduler> | undefined;

/**
 * Replaces globalThis.setImmediate (idempotent): native callbacks, Dawn's polls, go through
 * {@link createDawnPollScheduler}; every other callback goes to the original setImmediate unchanged.
 */
export function backOffDawnPolling(spinMs = DEFAULT_SPIN_MS): void {
  if (installed) return;
  const original = globalThis.setImmediate;
  const scheduler = createDawnPollScheduler(
    { now: () => performance.now(), immediate: (cb) => original(cb), afterOneMs: (cb) => setTimeout(cb, 1) },
    spinMs,
  );
  const replacement = (callback: unknown, ...args: unknown[]): unknown =>
    isNativeFunction(callback) ? scheduler.schedule(callback, ...args) : original(callback as ImmediateCallback, ...args);
  // Keep setImmediate's own properties (util.promisify's custom hook, __promisify__).
  Object.defineProperties(replacement, Object.getOwnPropertyDescriptors(original));
  globalThis.setImmediate = replacement as unknown as typeof setImmediate;
  installed = scheduler;
}

/** Poll counts since {@link backOffDawnPolling}, or undefined if Dawn polls as shipped. */
export function dawnPollingStats(): DawnPollingStats | undefined {
  return installed?.stats();
}
