// SPDX-License-Identifier: Apache-2.0
// vitest globalSetup: the process tests run the built bin (dist/main.js), so build it first
// (incremental: a no-op when nothing changed).
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-b', fileURLToPath(new URL('..', import.meta.url))], { stdio: 'inherit' });
}
