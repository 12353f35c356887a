// SPDX-License-Identifier: Apache-2.0
// vitest globalSetup: the process tests run the built bin (dist/main.js), so build it first.
// Only this package (tsc -p, not -b): its dependencies are built by turbo's ^build, and tsc -b would
// re-emit them without their build scripts' extra steps (shaders' emit-wgsl).
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', fileURLToPath(new URL('../tsconfig.json', import.meta.url))], { stdio: 'inherit' });
}
