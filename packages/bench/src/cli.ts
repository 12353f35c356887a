// SPDX-License-Identifier: Apache-2.0
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { acquireDevice, InvalidOptionError, kernelValidationEnabled, setKernelValidation, WebGPUUnavailableError } from '@webxai/shaders';
import { dawnPollingStats, installNodeWebGPU } from '@webxai/shaders/node';
import { runSuites, type BenchSuite } from './harness.js';
import { saveBrowserResults } from './browser-save.js';
import { saveResults } from './save.js';
import { buildReport, describeEnvironment, formatEnvironment, formatTable, withCopyFraction, type BenchReport } from './report.js';

export const USAGE = `usage: webxai-bench [--quick] [--browser] [--json <file>] [--filter <text>] [--list] [--validation]
  --quick         CI-sized problems, few repetitions (seconds)
  --browser       run the MNIST method cases in headless Chromium (WebGPU) instead of Node: per method the
                  GPU-path time, its ratio to the bare tfjs passes (interleaved) and the CPU-path time;
                  with --filter heatmap (and in the full run): <xai-heatmap> draws per second at 224x224 (CPU vs GPU range)
                  with --filter explainer (and in the full run): <xai-explainer> explanations per second, readbacks and submits each
  --batch <n>     (--browser) images per model call in the forward-pass cases (default: webxai's default)
  --rounds <n>    (--browser) at least n timed rounds per case after the warm-up (default 3, --quick 2; rows under ~1.5 s get up to 21;
                  without --rounds, rows whose cpu warm-up takes 2 s or more get 1 timed cpu round)
  --tfjs-flags <json>  tfjs flags set after configureTfjs() (an A/B of a tfjs or webxai setting), in Node or,
                  with --browser, in the page, e.g. '{"WEBXAI_WEBGPU_MEAN_AS_AVG_POOL":false}'
  --json <file>   also write the results as JSON (schema: BenchReport in src/report.ts)
  --save          also write bench/results/<date>-<adapter>.{json,md,svg} (JSON, markdown table, SVG chart)
  --filter <text> only cases whose "suite/case" contains <text> (case-insensitive); "a|b" selects both, in the
                  bench's order, in one process or page (a row measured after other rows)
  --list          list the suites and exit
  --validation    keep runKernel's per-dispatch validation scopes on (default off, as in production)
environment:
  XAI_DAWN_POLLING=spin  (Node) Dawn's own busy polling instead of webxai's default backoff, for an A/B`;

/** Where --save writes (relative to the working directory: the repo root under `pnpm bench`). */
export const RESULTS_DIR = 'bench/results';

/** tfjs env flags by name: booleans or numbers, as tfjs's `env().set` takes them. */
export type TfjsFlags = Readonly<Record<string, boolean | number>>;

export interface CliOptions {
  readonly quick: boolean;
  readonly browser: boolean;
  readonly save: boolean;
  /** tfjs env flags to set after configureTfjs (from --tfjs-flags). */
  readonly tfjsFlags?: TfjsFlags;
  readonly batch?: number;
  readonly rounds?: number;
  readonly json?: string;
  readonly filter?: string;
  readonly list: boolean;
  readonly validation: boolean;
  readonly help: boolean;
}

export function parseCliArgs(argv: readonly string[]): CliOptions {
  const { values } = parseArgs({
    args: argv.filter((arg) => arg !== '--'), // `pnpm bench -- --quick` passes the separator through
    options: {
      quick: { type: 'boolean', default: false },
      browser: { type: 'boolean', default: false },
      save: { type: 'boolean', default: false },
      'tfjs-flags': { type: 'string' },
      batch: { type: 'string' },
      rounds: { type: 'string' },
      json: { type: 'string' },
      filter: { type: 'string' },
      list: { type: 'boolean', default: false },
      validation: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  return {
    quick: values.quick,
    browser: values.browser,
    save: values.save,
    list: values.list,
    validation: values.validation,
    help: values.help,
    ...(values.json !== undefined && { json: values.json }),
    ...(values['tfjs-flags'] !== undefined && { tfjsFlags: parseTfjsFlags(values['tfjs-flags']) }),
    ...(values.batch !== undefined && { batch: positiveCount('--batch', values.batch) }),
    ...(values.rounds !== undefined && { rounds: positiveCount('--rounds', values.rounds) }),
    ...(values.filter !== undefined && { filter: values.filter }),
  };
}

/**
 * --tfjs-flags' JSON: an object of boolean or number values; a typed error naming the flag otherwise
 * (a typo must not silently measure the default).
 */
export function parseTfjsFlags(json: string): TfjsFlags {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new InvalidOptionError(`--tfjs-flags takes a JSON object such as '{"FLAG":false}', got '${json}'`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new InvalidOptionError(`--tfjs-flags takes a JSON object such as '{"FLAG":false}', got '${json}'`);
  }
  for (const [flag, value] of Object.entries(parsed)) {
    if (typeof value !== 'boolean' && typeof value !== 'number') {
      throw new InvalidOptionError(`--tfjs-flags: flag ${flag} must be a boolean or a number, got ${JSON.stringify(value)}`);
    }
  }
  return parsed as TfjsFlags;
}

/** A flag's value as a positive integer; a typed error naming the flag otherwise (never NaN passed on). */
function positiveCount(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidOptionError(`${flag} takes a positive integer, got '${value}'`);
  return n;
}

/**
 * Runs the CLI: prints the adapter, times every selected case, prints the table and writes the
 * JSON report when asked. Returns the report (undefined for --help/--list).
 */
export async function runCli(
  argv: readonly string[],
  suites: readonly BenchSuite[],
  log: (line: string) => void = console.log,
): Promise<BenchReport | undefined> {
  const options = parseCliArgs(argv);
  if (options.help) {
    log(USAGE);
    return undefined;
  }
  if (options.list) {
    for (const suite of suites) log(`${suite.name.padEnd(12)} ${suite.description}`);
    return undefined;
  }
  if (options.browser) {
    await runBrowser(options, log);
    return undefined;
  }
  if (!(globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu) installNodeWebGPU();
  const adapter = await navigator.gpu.requestAdapter();
  if (!adapter) throw new WebGPUUnavailableError('navigator.gpu.requestAdapter() returned no adapter');
  const environment = describeEnvironment(adapter, options.quick, options.validation, dawnPollingStats() ? 'backoff' : 'spin');
  log(formatEnvironment(environment));

  const device = await acquireDevice();
  const started = performance.now();
  const suiteSeconds: Record<string, number> = {};
  const validationBefore = kernelValidationEnabled();
  setKernelValidation(options.validation);
  try {
    const timed = await runSuites(suites, {
      device,
      quick: options.quick,
      ...(options.filter !== undefined && { filter: options.filter }),
      ...(options.tfjsFlags !== undefined && { tfjsFlags: options.tfjsFlags }),
      onResult: (r) => log(`  ${r.suite}/${r.name}: median ${r.medianMs.toPrecision(4)} ms (${r.runs} runs)`),
      onSuite: (suite, ms) => {
        suiteSeconds[suite] = ms / 1000;
        log(`suite ${suite} took ${(ms / 1000).toFixed(1)} s`);
      },
    });
    const results = withCopyFraction(timed);
    if (results.length === 0) log(`no case matches --filter ${options.filter ?? ''}`);
    log('');
    log(formatTable(results));
    log(
      `\nbenchmarks took ${((performance.now() - started) / 1000).toFixed(0)} s (${Object.entries(suiteSeconds)
        .map(([name, s]) => `${name} ${s.toFixed(0)} s`)
        .join(', ')})`,
    );
    const report = buildReport(environment, results);
    if (options.save) log(`\nwrote ${saveResults(report, RESULTS_DIR).join(', ')}`);
    if (options.json) {
      mkdirSync(dirname(options.json), { recursive: true });
      writeFileSync(options.json, `${JSON.stringify(report, null, 2)}\n`);
      log(`\nwrote ${options.json}`);
    }
    return report;
  } finally {
    setKernelValidation(validationBefore);
  }
}

/** `--browser`: the page's table, its JSON when asked, and with --save the JSON, table and chart (browser-save.ts). */
async function runBrowser(options: CliOptions, log: (line: string) => void): Promise<void> {
  const { formatBrowserTable, runBrowserBench } = await import('./browser.js');
  const started = performance.now();
  const result = await runBrowserBench({
    quick: options.quick,
    log,
    validation: options.validation,
    ...(options.filter !== undefined && { filter: options.filter }),
    ...(options.tfjsFlags !== undefined && { tfjsFlags: JSON.stringify(options.tfjsFlags) }),
    ...(options.batch !== undefined && { batch: options.batch }),
    ...(options.rounds !== undefined && { rounds: options.rounds }),
  });
  const table = formatBrowserTable(result);
  log('');
  log(table);
  log(`browser bench took ${((performance.now() - started) / 1000).toFixed(0)} s`);
  const date = new Date().toISOString();
  const json = `${JSON.stringify({ date, quick: options.quick, ...result }, null, 2)}\n`;
  if (options.json) {
    mkdirSync(dirname(options.json), { recursive: true });
    writeFileSync(options.json, json);
    log(`wrote ${options.json}`);
  }
  if (options.save) {
    log(`wrote ${saveBrowserResults({ date, quick: options.quick, result }, RESULTS_DIR, { json, table }).join(', ')}`);
  }
}
