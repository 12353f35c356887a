// SPDX-License-Identifier: Apache-2.0
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeAtomic } from './files.js';

/** One class and its probability. */
export interface ClassScore {
  readonly index: number;
  readonly label: string;
  readonly probability: number;
}

/** One method on one image. Paths are relative to the output folder. */
export interface MethodRecord {
  readonly method: string;
  readonly status: 'ok' | 'failed';
  readonly error?: string;
  /** Where webxai's kernels ran: 'gpu' or 'cpu'. */
  readonly path?: string;
  readonly timeMs?: number;
  readonly overlay?: string;
  readonly attribution?: string;
  readonly shape?: readonly number[];
  readonly signed?: boolean;
  /** Trust metrics, when --metrics ran. */
  readonly scores?: Readonly<Record<string, number>>;
  /**
   * What the picture cannot say by itself, from the method's result: e.g. a CAM map that is all
   * zero after its ReLU, why, and how to see the signed map (`--set grad-cam.relu=false`).
   */
  readonly warnings?: readonly string[];
}

/** One input image. */
export interface ImageRecord {
  /** Stable id (folder name under images/), derived from the path. */
  readonly id: string;
  /** The file, relative to the working folder when inside it. */
  readonly file: string;
  readonly status: 'ok' | 'failed';
  readonly error?: string;
  readonly source?: { readonly width: number; readonly height: number; readonly format: string; readonly notes: readonly string[] };
  readonly input?: string;
  /** Top classes by probability (softmax of the outputs unless they already are probabilities). */
  readonly prediction?: readonly ClassScore[];
  /** Every class's probability. */
  readonly probabilities?: readonly number[];
  readonly target?: ClassScore;
  readonly predictMs?: number;
  readonly methods: readonly MethodRecord[];
}

/** results.json. */
export interface Results {
  readonly tool: 'webxai';
  readonly format: 1;
  readonly model: {
    readonly spec: string;
    readonly kind: string;
    readonly teachableMachine: boolean;
    readonly input: { readonly width: number; readonly height: number; readonly channels: number };
    readonly labels: readonly string[] | null;
  };
  readonly adapter: string;
  readonly backend: string;
  readonly preprocess: string;
  readonly resize: string;
  readonly target: string;
  readonly methods: readonly string[];
  readonly methodOptions: Readonly<Record<string, Record<string, unknown>>>;
  readonly seed: number;
  /** Which shard this folder holds; absent for a full or merged run. */
  readonly shard?: { readonly index: number; readonly count: number };
  /** Output folders merged into this one. */
  readonly mergedFrom?: readonly string[];
  readonly images: readonly ImageRecord[];
  readonly summary: {
    readonly images: number;
    readonly ok: number;
    readonly failed: number;
    readonly failedMethods: number;
    readonly totalMs: number;
  };
}

export const RESULTS_FILE = 'results.json';

/** results.json of a folder, or undefined when there is none (or it is unreadable: then it is rewritten). */
export function readResults(dir: string): Results | undefined {
  const file = join(dir, RESULTS_FILE);
  if (!existsSync(file)) return undefined;
  try {
    const results = JSON.parse(readFileSync(file, 'utf8')) as Results;
    return results.tool === 'webxai' && Array.isArray(results.images) ? results : undefined;
  } catch {
    return undefined;
  }
}

/** The summary line of a set of image records. */
export function summarise(images: readonly ImageRecord[], totalMs: number): Results['summary'] {
  return {
    images: images.length,
    ok: images.filter((i) => i.status === 'ok' && i.methods.every((m) => m.status === 'ok')).length,
    failed: images.filter((i) => i.status === 'failed').length,
    failedMethods: images.reduce((n, i) => n + i.methods.filter((m) => m.status === 'failed').length, 0),
    totalMs,
  };
}

/** Writes results.json atomically (an interrupted run never leaves a half-written file). */
export function writeResults(dir: string, results: Results): void {
  writeAtomic(join(dir, RESULTS_FILE), JSON.stringify(results, null, 2) + '\n');
}
