// SPDX-License-Identifier: Apache-2.0
// Runs the built `webxai` bin as a separate process, as a user would.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Results } from '../src/output/results.js';

export const BIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
export const FIXTURES = fileURLToPath(new URL('../../models/fixtures/', import.meta.url));

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/** Runs `webxai ...args`; a run that outlives `timeoutMs` is killed (and then fails the test by its code). */
export function runCli(
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<CliRun> {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 300_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: performance.now() - start });
    });
  });
}

export function readResultsJson(dir: string): Results {
  return JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as Results;
}

/** results.json without what legitimately differs between runs: timings, shard and merge bookkeeping. */
export function comparable(results: Results): unknown {
  const { summary, shard: _shard, mergedFrom: _merged, adapter: _adapter, ...rest } = results;
  return {
    ...rest,
    summary: { ...summary, totalMs: 0 },
    images: results.images.map(({ predictMs: _p, ...image }) => ({ ...image, methods: image.methods.map(({ timeMs: _t, ...m }) => m) })),
  };
}
