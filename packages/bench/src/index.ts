// SPDX-License-Identifier: Apache-2.0
/** @webxai/bench: the harness, so that other packages' suites can share it. */
export * from './harness.js';
export * from './report.js';
export { parseCliArgs, runCli, USAGE, type CliOptions } from './cli.js';
export { SUITES } from './suites/index.js';
