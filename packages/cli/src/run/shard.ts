// SPDX-License-Identifier: Apache-2.0
import { UsageError } from '../errors.js';

/** Shard `index` of `count` (0-based). */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

/**
 * `--shard i/n` or `--shard auto`. auto reads, in order: a Kubernetes Indexed Job's
 * JOB_COMPLETION_INDEX with the shard count in WEBXAI_SHARD_COUNT (Kubernetes does not expose
 * `completions` to the pod; the manifest sets it); a Slurm array's SLURM_ARRAY_TASK_ID /
 * SLURM_ARRAY_TASK_COUNT (array starting at 0); GitLab's 1-based CI_NODE_INDEX / CI_NODE_TOTAL.
 */
export function parseShard(value: string, env: NodeJS.ProcessEnv): Shard {
  if (value === 'auto') return autoShard(env);
  const match = /^(\d+)\/(\d+)$/.exec(value);
  if (!match) throw new UsageError(`--shard must be i/n (0-based, e.g. 0/4) or auto, got '${value}'`);
  return checked(Number(match[1]), Number(match[2]), '--shard');
}

function checked(index: number, count: number, source: string): Shard {
  if (!(count >= 1 && index >= 0 && index < count)) {
    throw new UsageError(`${source}: shard index must be in 0..count-1 and count >= 1, got ${index}/${count}`);
  }
  return { index, count };
}

function autoShard(env: NodeJS.ProcessEnv): Shard {
  const pairs: [index: string, count: string, base: number][] = [
    ['JOB_COMPLETION_INDEX', 'WEBXAI_SHARD_COUNT', 0],
    ['SLURM_ARRAY_TASK_ID', 'SLURM_ARRAY_TASK_COUNT', 0],
    ['CI_NODE_INDEX', 'CI_NODE_TOTAL', 1],
  ];
  for (const [indexVar, countVar, base] of pairs) {
    const index = env[indexVar];
    if (index === undefined) continue;
    const count = env[countVar];
    if (count === undefined)
      throw new UsageError(`--shard auto: ${indexVar} is set but ${countVar} is not; set ${countVar} to the number of shards`);
    return checked(Number(index) - base, Number(count), `--shard auto (${indexVar}=${index}, ${countVar}=${count})`);
  }
  throw new UsageError(
    '--shard auto: none of JOB_COMPLETION_INDEX + WEBXAI_SHARD_COUNT, SLURM_ARRAY_TASK_ID + SLURM_ARRAY_TASK_COUNT, CI_NODE_INDEX + CI_NODE_TOTAL is set; use --shard i/n',
  );
}

/** FNV-1a, 32 bits: a stable hash of an image's id, so shards stay put when images are added. */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return hash;
}

/** True when the image with this id belongs to `shard` (every image to exactly one shard). */
export function inShard(id: string, shard: Shard | undefined): boolean {
  return !shard || fnv1a(id) % shard.count === shard.index;
}
