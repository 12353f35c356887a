// SPDX-License-Identifier: Apache-2.0
import type { CaseResult } from './harness.js';
import type { DawnPolling } from '@webxai/shaders/node';
import { COPY_CASE } from './suites/kernels.js';

/** What the JSON report says about the machine. */
export interface Environment {
  readonly date: string;
  readonly node: string;
  readonly platform: string;
  readonly adapter: { readonly vendor: string; readonly architecture: string; readonly device: string; readonly description: string };
  readonly quick: boolean;
  /** Whether runKernel wrapped each dispatch in a validation error scope. */
  readonly kernelValidation: boolean;
  /** In Node: how Dawn waited for the GPU (installNodeWebGPU's polling option); moves ratios on few cores. */
  readonly dawnPolling?: DawnPolling;
}

/** The `--json` file. `schema` changes when fields are renamed or removed. */
export interface BenchReport extends Environment {
  readonly schema: 1;
  readonly results: readonly CaseResult[];
}

/** Describes the adapter and process for the report header. */
export function describeEnvironment(
  adapter: GPUAdapter,
  quick: boolean,
  kernelValidation: boolean,
  dawnPolling?: DawnPolling,
): Environment {
  const info = adapter.info;
  return {
    date: new Date().toISOString(),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    adapter: { vendor: info.vendor, architecture: info.architecture, device: info.device, description: info.description },
    quick,
    kernelValidation,
    ...(dawnPolling ? { dawnPolling } : {}),
  };
}

export function buildReport(environment: Environment, results: readonly CaseResult[]): BenchReport {
  return { schema: 1, ...environment, results };
}

/**
 * Sets every case's GB/s against the plain copy kernel's from the same run (`ofCopy`), the issue's
 * "achieved GB/s against a plain copy kernel on the same device". Unchanged when the copy case did not run.
 */
export function withCopyFraction(results: readonly CaseResult[]): CaseResult[] {
  const copy = results.find((r) => r.suite === 'kernels' && r.name === COPY_CASE)?.gbPerSecond;
  if (copy === undefined || !(copy > 0)) return [...results];
  return results.map((r) => (r.gbPerSecond === undefined ? r : { ...r, ofCopy: r.gbPerSecond / copy }));
}

/** Formats a number with 3 significant digits and an SI suffix (1.23 G). */
export function si(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '';
  const units = ['', 'k', 'M', 'G', 'T'];
  let unit = 0;
  while (Math.abs(value) >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toPrecision(3)}${units[unit] ? ` ${units[unit]}` : ''}`;
}

const ms = (value: number | undefined) => (value === undefined ? '' : value < 1 ? value.toFixed(3) : value.toPrecision(4));

/** The human-readable table: one row per case. */
export function formatTable(results: readonly CaseResult[]): string {
  const header = ['case', 'runs', 'median ms', 'p10 ms', 'p90 ms', 'elements/s', 'GB/s', 'of copy', 'ms/op'];
  const rows = results.map((r) => [
    `${r.suite}/${r.name}`,
    String(r.runs),
    ms(r.medianMs),
    ms(r.p10Ms),
    ms(r.p90Ms),
    si(r.elementsPerSecond),
    r.gbPerSecond === undefined ? '' : r.gbPerSecond.toPrecision(3),
    r.ofCopy === undefined ? '' : r.ofCopy.toFixed(2),
    ms(r.msPerOperation),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** One-line description of the environment for the console. */
export function formatEnvironment(environment: Environment): string {
  const a = environment.adapter;
  return (
    `adapter: ${[a.vendor, a.architecture, a.device, a.description].filter(Boolean).join(' / ')}\n` +
    `node ${environment.node} on ${environment.platform}, ${environment.date}, ${environment.quick ? 'quick' : 'full'} mode, ` +
    `kernel validation ${environment.kernelValidation ? 'on' : 'off'}` +
    (environment.dawnPolling ? `, Dawn polling ${environment.dawnPolling}` : '')
  );
}
