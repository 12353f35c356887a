// SPDX-License-Identifier: Apache-2.0
// Cancellation that always works: every awaited model call is raced against the caller's signal
// (a predict() that never settles cannot hang an explanation), and loops yield to the event loop
// between batches on tfjs's synchronous backends, so that timers (AbortSignal.timeout) and UI
// events get to run and fire the signal.
import * as tf from '@tensorflow/tfjs';
import { AbortedError, throwIfAborted } from '@webxai/shaders';

/** The AbortedError for `signal` (its reason as the cause). */
function abortedError(signal: AbortSignal, what: string): AbortedError {
  return new AbortedError(`${what} was aborted`, { cause: signal.reason });
}

/**
 * `promise`, or a rejection with {@link AbortedError} as soon as `signal` fires, whichever comes
 * first. The promise itself is not cancelled (a user's predict() cannot be), only no longer awaited;
 * `onLate` receives its value if it settles afterwards (to dispose a tensor nobody will read).
 */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined, what: string, onLate?: (value: T) => void): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) {
    if (onLate) promise.then(onLate, () => {});
    else promise.catch(() => {});
    return Promise.reject(abortedError(signal, what));
  }
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const onAbort = () => {
      if (settled) return;
      settled = true;
      reject(abortedError(signal, what));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        if (settled) onLate?.(value);
        else {
          settled = true;
          resolve(value);
        }
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        if (!settled) {
          settled = true;
          reject(error);
        }
      },
    );
  });
}

/** Resolves on a later turn of the event loop (after pending timers and I/O), not as a microtask. */
export function yieldToEventLoop(): Promise<void> {
  if (typeof setImmediate === 'function') return new Promise((resolve) => setImmediate(resolve));
  if (typeof MessageChannel === 'function') {
    return new Promise((resolve) => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        channel.port1.close();
        resolve();
      };
      channel.port2.postMessage(undefined);
    });
  }
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * Call between batches: on tfjs's synchronous backends (cpu, wasm) yields to the event loop first
 * (their awaits resolve as microtasks, so without this a timer never fires during a run), then
 * throws {@link AbortedError} if `signal` has fired. On webgpu the awaited GPU work already yields.
 */
export async function checkpoint(signal: AbortSignal | undefined, what: string): Promise<void> {
  if (tf.getBackend() !== 'webgpu') await yieldToEventLoop();
  throwIfAborted(signal, what);
}
