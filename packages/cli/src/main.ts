#!/usr/bin/env node
// SPDX-License-Identifier: Apache-2.0
// `webxai explain` / `webxai merge` (and `pnpm explain`, which with no options explains the shipped
// MNIST CNN on its embedded digits).
import { installNodeWebGPU } from '@webxai/shaders/node';
import { parseCliArgs, USAGE, type ExplainArgs } from './args.js';
import { EXIT, UsageError, messageOf } from './errors.js';
import type { Results } from './output/results.js';

/** One line per skipped image and failed method. */
function failures(results: Results): string[] {
  return results.images.flatMap((i) =>
    i.status === 'failed'
      ? [`  ${i.file}: ${i.error}`]
      : i.methods.filter((m) => m.status === 'failed').map((m) => `  ${i.file} ${m.method}: ${m.error}`),
  );
}

function printSummary(results: Results, outDir: string): void {
  const s = results.summary;
  const rows = results.methods.map((method) => {
    const done = results.images.flatMap((i) => i.methods.filter((m) => m.method === method && m.status === 'ok'));
    const failed = results.images.flatMap((i) => i.methods.filter((m) => m.method === method && m.status === 'failed')).length;
    const mean = done.length ? done.reduce((t, m) => t + (m.timeMs ?? 0), 0) / done.length : 0;
    const path = [...new Set(done.map((m) => m.path))].join('/');
    return `${method.padEnd(22)} ${String(done.length).padStart(5)} ${String(failed).padStart(6)} ${path.padEnd(5)} ${done.length ? mean.toFixed(0).padStart(9) : '—'.padStart(9)}`;
  });
  console.log(
    `\nmodel ${results.model.spec} (${results.model.kind}, ${results.model.input.width}x${results.model.input.height}x${results.model.input.channels}, preprocess ${results.preprocess}) on ${results.backend}: ${results.adapter}`,
  );
  console.log(`${'method'.padEnd(22)} ${'done'.padStart(5)} ${'failed'.padStart(6)} ${'path'.padEnd(5)} ${'ms/image'.padStart(9)}`);
  for (const row of rows) console.log(row);
  const predictions = results.images
    .filter((i) => i.status === 'ok')
    .slice(0, 10)
    .map((i) => `${i.file} → ${i.prediction?.[0]?.label} (${((i.prediction?.[0]?.probability ?? 0) * 100).toFixed(1)}%)`);
  if (predictions.length)
    console.log(`\n${predictions.join('\n')}${s.images - s.failed > 10 ? `\n… and ${s.images - s.failed - 10} more` : ''}`);
  const problems = failures(results);
  if (problems.length) console.log(`\nfailed (${problems.length}):\n${problems.join('\n')}`);
  console.log(
    `\n${s.images} images (${s.ok} fully explained, ${s.failed} skipped, ${s.failedMethods} method failures) → ${outDir}/results.json, ${outDir}/report.html`,
  );
}

async function explainCommand(args: ExplainArgs): Promise<number> {
  // tfjs-backend-webgpu registers itself at import time only if navigator.gpu exists: install Dawn
  // first, then load the modules that import it.
  if (args.backend === 'webgpu') installNodeWebGPU();
  await import('@tensorflow/tfjs-backend-webgpu');
  const { runExplain } = await import('./run/explain-run.js');
  const { createProgress } = await import('./run/progress.js');
  const outcome = await runExplain(args, createProgress(process.stderr, args.quiet));
  if (!args.quiet) printSummary(outcome.results, outcome.outDir);
  else if (failures(outcome.results).length) console.error(`failed:\n${failures(outcome.results).join('\n')}`); // --quiet still says what failed
  return outcome.exitCode;
}

async function main(argv: readonly string[]): Promise<number> {
  // `pnpm explain -- ...` runs in the workspace root; paths on its command line are the user's.
  if (process.env.npm_lifecycle_event === 'explain' && process.env.INIT_CWD) process.chdir(process.env.INIT_CWD);
  const args = parseCliArgs(argv, process.env);
  if (args === 'help') {
    console.log(USAGE);
    return EXIT.ok;
  }
  if (args.command === 'merge') {
    const { runMerge } = await import('./merge.js');
    const { results, exitCode } = await runMerge(args);
    if (!args.quiet)
      console.log(
        `merged ${args.dirs.length} folders: ${results.summary.images} images → ${args.out}/results.json, ${args.out}/report.html`,
      );
    return exitCode;
  }
  return explainCommand(args);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`webxai: ${messageOf(error)}`);
    process.exit(error instanceof UsageError ? EXIT.usage : EXIT.someFailed);
  },
);
