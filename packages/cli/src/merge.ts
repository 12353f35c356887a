// SPDX-License-Identifier: Apache-2.0
import { cpSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { MergeArgs } from './args.js';
import { EXIT, UsageError } from './errors.js';
import { prepareOutDir } from './output/files.js';
import { writeReport } from './output/report.js';
import { readResults, summarise, writeResults, type ImageRecord, type Results } from './output/results.js';

/** Settings every shard must share to be merged. */
const SHARED = ['model', 'backend', 'preprocess', 'resize', 'target', 'methods', 'methodOptions', 'seed'] as const;

/**
 * `webxai merge <dirs...> --out <dir>`: combines shard output folders into one results.json (images
 * sorted by file, as a single run writes them) and one report.html, copying each image's files.
 * @throws {UsageError} when a folder has no results.json, or the shards ran with different settings.
 */
export async function runMerge(args: MergeArgs): Promise<{ results: Results; exitCode: number }> {
  const outDir = prepareOutDir(args.out);
  const parts = args.dirs.map((dir) => {
    const results = readResults(dir);
    if (!results) throw new UsageError(`merge: '${dir}' has no readable results.json (is it a webxai explain --out folder?)`);
    return { dir: resolve(dir), results };
  });
  const first = parts[0]!.results;
  for (const { dir, results } of parts.slice(1)) {
    const differs = SHARED.filter((k) => JSON.stringify(results[k]) !== JSON.stringify(first[k]));
    if (differs.length)
      throw new UsageError(
        `merge: '${dir}' ran with different ${differs.join(', ')} than '${args.dirs[0]}'; shards must share their settings`,
      );
  }
  const byId = new Map<string, ImageRecord>();
  for (const { dir, results } of parts) {
    for (const image of results.images) {
      if (byId.has(image.id)) throw new UsageError(`merge: image ${image.file} is in more than one folder (did two shards overlap?)`);
      byId.set(image.id, image);
      const from = join(dir, 'images', image.id);
      if (existsSync(from) && resolve(from) !== resolve(outDir, 'images', image.id))
        cpSync(from, join(outDir, 'images', image.id), { recursive: true });
    }
  }
  const images = [...byId.values()].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  const totalMs = parts.reduce((t, p) => t + p.results.summary.totalMs, 0);
  const { shard: _shard, ...rest } = first;
  const results: Results = { ...rest, mergedFrom: args.dirs.map((d) => resolve(d)), images, summary: summarise(images, totalMs) };
  writeResults(outDir, results);
  await writeReport(outDir, results);
  const failed = results.summary.failed > 0 || results.summary.failedMethods > 0;
  return { results, exitCode: failed ? EXIT.someFailed : EXIT.ok };
}
