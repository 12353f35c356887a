// SPDX-License-Identifier: Apache-2.0

/**
 * The one-at-a-time queue behind `<xai-heatmap>` and `<xai-explainer>`: their @lit/task runs share
 * GPU buffers, tensors and a canvas, so they must not overlap, while a newer run must still make an
 * older one give up. Jobs run in the order they were queued, whatever the outcome of the ones before;
 * a run is superseded once its task signal is aborted (a newer run started) or its element has left
 * the page.
 *
 * @example
 * #lane = new SerialLane(this);
 * #renders = new Task(this, { autoRun: false, task: (_, { signal }) => this.#lane.runUnlessSuperseded(signal, () => this.#render(signal)) });
 */
export class SerialLane {
  /** Settles after every job queued so far; never rejects. */
  #tail: Promise<void> = Promise.resolve();

  constructor(private readonly host: { readonly isConnected: boolean }) {}

  /** Resolves when every job queued so far has settled (successfully or not). */
  get idle(): Promise<void> {
    return this.#tail;
  }

  /** Runs `job` after every job queued before it; the promise carries `job`'s own result or error. */
  run<T>(job: () => T | Promise<T>): Promise<T> {
    const run = this.#tail.then(job);
    this.#tail = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /** As {@link SerialLane.run}, but skips `job` (resolving undefined) if it is superseded by its turn. */
  runUnlessSuperseded<T>(signal: AbortSignal, job: () => T | Promise<T>): Promise<T | undefined> {
    return this.run(() => (this.superseded(signal) ? undefined : job()));
  }

  /** A newer run (or removal of the host from the page) has taken over from the run holding `signal`. */
  superseded(signal: AbortSignal): boolean {
    return signal.aborted || !this.host.isConnected;
  }
}
