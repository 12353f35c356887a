#!/usr/bin/env node
// SPDX-License-Identifier: Apache-2.0
// `pnpm bench` (root) / `pnpm bench` (this package): webxai's benchmarks on Dawn. See cli.ts for flags.
import { runCli, USAGE } from './cli.js';
import { SUITES } from './suites/index.js';

runCli(process.argv.slice(2), SUITES).then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof TypeError && String(error.message).includes('option') ? `${error.message}\n${USAGE}` : error);
    process.exit(1);
  },
);
