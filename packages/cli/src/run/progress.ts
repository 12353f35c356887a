// SPDX-License-Identifier: Apache-2.0

/** Where the run reports what it does: a bar on a terminal, plain lines in a log, nothing when quiet. */
export interface ProgressReporter {
  /** The current image and method (the bar redraws; plain mode stays silent until the image ends). */
  update(done: number, total: number, file: string, method: string): void;
  /** One finished image or a failure: a line in plain mode, printed above the bar on a terminal. */
  line(text: string): void;
  finish(): void;
}

const seconds = (ms: number) =>
  ms >= 60_000
    ? `${Math.floor(ms / 60_000)}m${Math.round((ms % 60_000) / 1000)
        .toString()
        .padStart(2, '0')}s`
    : `${Math.round(ms / 1000)}s`;

/** Picks the reporter: a bar when `stream` is a TTY, plain lines otherwise, nothing with --quiet. */
export function createProgress(stream: NodeJS.WriteStream, quiet: boolean, now = () => performance.now()): ProgressReporter {
  if (quiet) return { update() {}, line() {}, finish() {} };
  if (!stream.isTTY) return { update() {}, line: (text) => void stream.write(`${text}\n`), finish() {} };
  const start = now();
  let drawn = false;
  const clear = () => drawn && stream.write('\r\x1b[2K');
  return {
    update(done, total, file, method) {
      const width = 24;
      const filled = total ? Math.round((done / total) * width) : 0;
      const elapsed = now() - start;
      const eta = done > 0 ? ` · ETA ${seconds((elapsed / done) * (total - done))}` : '';
      const name = file.length > 40 ? `…${file.slice(-39)}` : file;
      clear();
      stream.write(`[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} images · ${name} · ${method}${eta}`);
      drawn = true;
    },
    line(text) {
      clear();
      drawn = false;
      stream.write(`${text}\n`);
    },
    finish() {
      clear();
      drawn = false;
    },
  };
}
