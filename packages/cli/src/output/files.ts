// SPDX-License-Identifier: Apache-2.0
import { accessSync, constants, existsSync, mkdirSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UsageError } from '../errors.js';

/**
 * Makes sure `--out` is a folder we can write, before any work: it must be a folder or not exist yet
 * below a writable folder. Missing folders are made one level at a time (Node's recursive mkdir
 * spins forever under /proc), then a probe file is written and removed.
 * @throws {UsageError} naming --out and why.
 */
export function prepareOutDir(out: string, flag = '--out'): string {
  const dir = resolve(out);
  const missing: string[] = [];
  let existing = dir;
  while (!existsSync(existing)) {
    missing.unshift(existing);
    const parent = dirname(existing);
    if (parent === existing) break;
    existing = parent;
  }
  if (!statSync(existing).isDirectory()) throw new UsageError(`${flag} '${out}': '${existing}' exists and is not a folder`);
  try {
    for (const d of missing) mkdirSync(d);
    accessSync(dir, constants.W_OK);
    const probe = join(dir, `.webxai-write-test-${process.pid}`);
    writeFileSync(probe, '');
    unlinkSync(probe);
  } catch (error) {
    throw new UsageError(
      `${flag} '${out}' is not a writable folder (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
  return dir;
}

/** Writes a file atomically: to a temporary name in the same folder, then renamed over the target. */
export function writeAtomic(file: string, data: string | Uint8Array): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  renameSync(tmp, file);
}
