// SPDX-License-Identifier: Apache-2.0
// Smoke test of the harness and CLI on a trivial suite in --quick mode: checks the JSON shape,
// never timings (performance is measured by `pnpm bench`, not asserted in tests).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createBuffer, fill, InvalidOptionError, kernelValidationEnabled, releaseBuffer, runKernel } from '@webxai/shaders';
import { quantile, QUICK_POLICY, type BenchContext, type BenchSuite } from './harness.js';
import { runCli, parseCliArgs } from './cli.js';
import { formatTable, withCopyFraction, type BenchReport } from './report.js';
import { COPY_CASE } from './suites/kernels.js';

let disposed = 0;
const trivialSuite: BenchSuite = {
  name: 'trivial',
  description: 'a 1,000-value fill and a no-op',
  setup({ device, quick }) {
    expect(quick).toBe(true);
    const output = createBuffer(device, 4000, 'trivial');
    return {
      cases: [
        {
          name: 'fill 1000',
          elements: 1000,
          bytes: 4000,
          run: () => runKernel(device, fill, { params: { count: 1000, value: 2 }, output }),
        },
        { name: 'noop', operations: 4, run: () => undefined },
      ],
      dispose: () => {
        releaseBuffer(device, output);
        disposed++;
      },
    };
  },
};

describe('bench harness', () => {
  it('quantile interpolates linearly', () => {
    expect(quantile([1, 2, 3, 4, 5], 0.5)).toBe(3);
    expect(quantile([10, 20], 0.1)).toBeCloseTo(11);
    expect(quantile([7], 0.9)).toBe(7);
  });

  it('parses the CLI flags', () => {
    expect(parseCliArgs(['--quick', '--json', 'out.json', '--filter', 'reduce'])).toMatchObject({
      quick: true,
      json: 'out.json',
      filter: 'reduce',
    });
    expect(() => parseCliArgs(['--bogus'])).toThrow(/Unknown option/);
    expect(parseCliArgs(['--browser', '--rounds', '6', '--batch', '32'])).toMatchObject({ browser: true, rounds: 6, batch: 32 });
    expect(() => parseCliArgs(['--browser', '--rounds', 'six'])).toThrow(InvalidOptionError);
    expect(() => parseCliArgs(['--browser', '--rounds', '0'])).toThrow(/--rounds takes a positive integer, got '0'/);
    expect(() => parseCliArgs(['--browser', '--batch', '2.5'])).toThrow(/--batch takes a positive integer/);
  });

  it('runs a trivial suite in --quick mode and writes a JSON report of the documented shape', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'webxai-bench-'));
    const file = join(dir, 'nested', 'report.json');
    const lines: string[] = [];
    const validationBefore = kernelValidationEnabled();
    try {
      await runCli(['--quick', '--json', file], [trivialSuite], (line) => lines.push(line));
      const report = JSON.parse(readFileSync(file, 'utf8')) as BenchReport;
      expect(report).toMatchObject({ schema: 1, quick: true, kernelValidation: false, node: process.version });
      expect(Number.isNaN(Date.parse(report.date))).toBe(false);
      expect(typeof report.adapter.vendor).toBe('string');
      expect(typeof report.adapter.description).toBe('string');
      expect(report.results.map((r) => `${r.suite}/${r.name}`)).toEqual(['trivial/fill 1000', 'trivial/noop']);
      for (const r of report.results) {
        expect(r.runs).toBeGreaterThanOrEqual(QUICK_POLICY.minRuns);
        expect(r.runs).toBeLessThanOrEqual(QUICK_POLICY.maxRuns);
        expect(r.p10Ms).toBeLessThanOrEqual(r.medianMs);
        expect(r.medianMs).toBeLessThanOrEqual(r.p90Ms);
        expect(r.minMs).toBeLessThanOrEqual(r.p10Ms);
      }
      const [fillResult, noop] = report.results;
      expect(fillResult).toMatchObject({ elements: 1000, bytes: 4000 });
      expect(fillResult!.elementsPerSecond).toBeCloseTo(1000 / (fillResult!.medianMs / 1e3), 6);
      expect(fillResult!.gbPerSecond).toBeCloseTo(4000 / (fillResult!.medianMs / 1e3) / 1e9, 12);
      expect(noop).toMatchObject({ operations: 4 });
      expect(noop!.msPerOperation).toBeCloseTo(noop!.medianMs / 4, 12);
      expect(noop).not.toHaveProperty('gbPerSecond');
      expect(disposed).toBe(1);
      expect(lines[0]).toMatch(/^adapter: /);
      expect(lines.join('\n')).toMatch(/trivial\/fill 1000/);
      expect(kernelValidationEnabled()).toBe(validationBefore);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--filter selects cases by "suite/case" substring', async () => {
    const report = await runCli(['--quick', '--filter', 'NOOP'], [trivialSuite], () => undefined);
    expect(report!.results.map((r) => r.name)).toEqual(['noop']);
  });

  it('a "suite/case" filter does not set up the other suites', async () => {
    let setups = 0;
    const counted: BenchSuite = { ...trivialSuite, setup: (context) => (setups++, trivialSuite.setup(context)) };
    const none = await runCli(['--quick', '--filter', 'other-suite/noop'], [counted], () => undefined);
    expect(none!.results).toEqual([]);
    expect(setups).toBe(0);
    const some = await runCli(['--quick', '--filter', 'ial/noop'], [counted], () => undefined);
    expect(some!.results.map((r) => r.name)).toEqual(['noop']);
    expect(setups).toBe(1);
  });

  it('a filter "a|b" runs the cases of both alternatives in the suites\' order, setting up only the suites named', async () => {
    const setups: string[] = [];
    const named = (name: string): BenchSuite => ({
      ...trivialSuite,
      name,
      setup: (context) => (setups.push(name), trivialSuite.setup(context)),
    });
    const suites = [named('first'), named('second'), named('third')];
    const both = await runCli(['--quick', '--filter', 'third/noop|first/fill'], suites, () => undefined);
    expect(both!.results.map((r) => `${r.suite}/${r.name}`)).toEqual(['first/fill 1000', 'third/noop']);
    expect(setups).toEqual(['first', 'third']);
    setups.length = 0;
    // An alternative without a suite sets every suite up to find its cases.
    const any = await runCli(['--quick', '--filter', 'fill|third/noop'], suites, () => undefined);
    expect(any!.results.map((r) => `${r.suite}/${r.name}`)).toEqual([
      'first/fill 1000',
      'second/fill 1000',
      'third/fill 1000',
      'third/noop',
    ]);
    expect(setups).toEqual(['first', 'second', 'third']);
  });

  it('--quick skips full-only suites unless the filter names them', async () => {
    let setups = 0;
    const big: BenchSuite = { ...trivialSuite, name: 'big', fullOnly: true, setup: (context) => (setups++, trivialSuite.setup(context)) };
    expect((await runCli(['--quick'], [big], () => undefined))!.results).toEqual([]);
    expect(setups).toBe(0);
    expect((await runCli(['--quick', '--filter', 'big/noop'], [big], () => undefined))!.results.map((r) => r.name)).toEqual(['noop']);
    expect(setups).toBe(1);
  });
});

describe('bench command line', () => {
  it('accepts the "--" separator that `pnpm bench -- --quick` passes through', () => {
    expect(parseCliArgs(['--', '--quick', '--filter', 'reduce'])).toMatchObject({ quick: true, filter: 'reduce' });
  });

  it('--tfjs-flags takes a JSON object of booleans and numbers, and rejects anything else with a typed error', () => {
    const flags = '{"WEBXAI_WEBGPU_MEAN_AS_AVG_POOL":false,"WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE":30}';
    expect(parseCliArgs(['--tfjs-flags', flags]).tfjsFlags).toEqual({
      WEBXAI_WEBGPU_MEAN_AS_AVG_POOL: false,
      WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE: 30,
    });
    expect(() => parseCliArgs(['--tfjs-flags', '{FLAG:false}'])).toThrow(InvalidOptionError);
    expect(() => parseCliArgs(['--tfjs-flags', '[true]'])).toThrow(/--tfjs-flags takes a JSON object/);
    expect(() => parseCliArgs(['--tfjs-flags', '{"FLAG":"false"}'])).toThrow(/flag FLAG must be a boolean or a number, got "false"/);
  });

  it('hands --tfjs-flags to every suite it sets up (Node mode), and no flags when omitted', async () => {
    const seen: BenchContext['tfjsFlags'][] = [];
    const probe: BenchSuite = {
      ...trivialSuite,
      name: 'probe',
      setup: (context) => (seen.push(context.tfjsFlags), trivialSuite.setup(context)),
    };
    await runCli(['--quick', '--filter', 'probe/noop', '--tfjs-flags', '{"SOME_FLAG":true}'], [probe], () => undefined);
    await runCli(['--quick', '--filter', 'probe/noop'], [probe], () => undefined);
    expect(seen).toEqual([{ SOME_FLAG: true }, undefined]);
  });
});

describe('fraction of the copy kernel', () => {
  const result = (suite: string, name: string, gbPerSecond?: number) => ({
    suite,
    name,
    runs: 1,
    medianMs: 1,
    p10Ms: 1,
    p90Ms: 1,
    meanMs: 1,
    minMs: 1,
    ...(gbPerSecond !== undefined && { gbPerSecond }),
  });

  it('divides each case by the copy kernel of the same run, and leaves cases without GB/s alone', () => {
    const out = withCopyFraction([
      result('kernels', COPY_CASE, 8),
      result('kernels', 'mask-accumulate', 2),
      result('dispatch', 'tiny', undefined),
    ]);
    expect(out.map((r) => r.ofCopy)).toEqual([1, 0.25, undefined]);
    expect(formatTable(out)).toMatch(/mask-accumulate.*0\.25/);
  });

  it('adds nothing when the copy case did not run (no fraction of an unknown yardstick)', () => {
    expect(withCopyFraction([result('kernels', 'mask-accumulate', 2)])[0]!.ofCopy).toBeUndefined();
  });
});
