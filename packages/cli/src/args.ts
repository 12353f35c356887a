// SPDX-License-Identifier: Apache-2.0
import { parseArgs } from 'node:util';
import { listMethods } from '@webxai/core';
import {
  PREPROCESS_DESCRIPTIONS,
  PREPROCESS_PRESETS,
  RESIZE_MODES,
  isPreprocessPreset,
  type PreprocessPreset,
  type ResizeMode,
} from '@webxai/core/io';
import { UsageError } from './errors.js';
import { parseShard, type Shard } from './run/shard.js';

/** What `webxai explain` was asked to do. */
export interface ExplainArgs {
  readonly command: 'explain';
  /** `--model` values (a path, URL, folder or builtin:<name>; several for a Teachable Machine export's files). */
  readonly model: readonly string[];
  /** `--images` values: files, folders, globs or builtin:<name>. */
  readonly images: readonly string[];
  readonly labels: string | undefined;
  readonly resize: ResizeMode | undefined;
  readonly preprocess: PreprocessPreset | undefined;
  readonly methods: readonly string[];
  /** Per-method options from `--set method.option=value`. */
  readonly methodOptions: Readonly<Record<string, Record<string, unknown>>>;
  readonly target: string;
  readonly metrics: boolean;
  readonly backend: 'webgpu' | 'cpu';
  readonly batch: number | undefined;
  readonly seed: number;
  readonly out: string;
  readonly force: boolean;
  readonly quiet: boolean;
  readonly shard: Shard | undefined;
  readonly maxPixels: number;
  readonly top: number;
}

/** What `webxai merge` was asked to do. */
export interface MergeArgs {
  readonly command: 'merge';
  readonly dirs: readonly string[];
  readonly out: string;
  readonly quiet: boolean;
}

export const DEFAULT_METHODS = ['integrated-gradients', 'grad-cam', 'score-cam', 'occlusion', 'lime'];
export const DEFAULT_MODEL = 'builtin:mnist';
export const DEFAULT_IMAGES = 'builtin:mnist';
const DEFAULT_MAX_PIXELS = 100_000_000;

export const USAGE = `Usage:
  webxai explain --model <model> --images <path|folder|glob>... [options]
  webxai merge <shard out dirs...> --out <dir>
  pnpm explain [-- options]        (no options: the shipped MNIST CNN on its embedded digits)

Explains an image classifier's decisions on WebGPU (Dawn) and writes, to --out, per image and method
a PNG overlay and the raw attribution (.npy), results.json and a self-contained report.html.

  --model M          a tfjs model.json (path or http(s) URL; layers or graph model), a Teachable Machine
                     export (its folder, or its model.json / metadata.json / weights.bin), an .onnx file
                     (black-box methods only), or builtin:mnist (default: ${DEFAULT_MODEL})
  --images P         image files, folders (recursive) or globs ('photos/**/*.jpg'); repeat or comma-
                     separate; PNG, JPEG, WebP, GIF (first frame), TIFF (default: ${DEFAULT_IMAGES})
  --labels FILE      class names: a JSON array or one per line (Teachable Machine: from metadata.json)
  --resize MODE      ${RESIZE_MODES.join(' | ')}: centre crop (default), letterbox, or stretch to the model's input
  --preprocess P     pixel range the model expects: ${PREPROCESS_PRESETS.map((p) => `${p} ${PREPROCESS_DESCRIPTIONS[p]}`).join('; ')}
                     (default: signed for Teachable Machine, unit otherwise)
  --methods a,b      methods (default: ${DEFAULT_METHODS.join(',')}); 'all' for every method
  --set m.opt=v      a method option, e.g. --set integrated-gradients.steps=128 (repeatable)
  --target T         predicted (default), a class index, or a label
  --metrics          trust metrics per explanation: deletion and insertion AUC, sparseness (core's evaluate())
  --backend B        webgpu (default) or cpu
  --batch N          model evaluations per GPU batch, for the methods that batch (default: automatic)
  --seed N           seed of the random methods (default 0)
  --out DIR          output folder (default: out)
  --force            recompute outputs that already exist (default: resume, skipping them)
  --shard i/n|auto   explain only shard i of n (0-based); auto reads JOB_COMPLETION_INDEX with
                     WEBXAI_SHARD_COUNT (Kubernetes Indexed Job) or SLURM_ARRAY_TASK_ID/_COUNT
  --top K            classes listed per prediction (default 3)
  --max-pixels N     skip images larger than this (default ${DEFAULT_MAX_PIXELS})
  --quiet            no progress output
  --help             this text

Exit codes: 0 all explained, 1 some images or methods failed (listed at the end), 2 bad arguments.`;

function integer(flag: string, value: string | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${flag} must be an integer >= ${min}, got '${value}'`);
  return n;
}

function list(values: readonly string[] | undefined): string[] {
  return (values ?? [])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
}

/** `--set method.option=value`: numbers, true/false and JSON arrays/objects are parsed, the rest stays text. */
export function parseMethodOptions(sets: readonly string[], methods: readonly string[]): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const set of sets) {
    const match = /^([a-z0-9+-]+)\.([A-Za-z][A-Za-z0-9]*)=(.*)$/.exec(set);
    if (!match) throw new UsageError(`--set expects method.option=value (e.g. integrated-gradients.steps=128), got '${set}'`);
    const [, method, option, raw] = match as unknown as [string, string, string, string];
    if (!methods.includes(method)) throw new UsageError(`--set ${set}: '${method}' is not among --methods (${methods.join(', ')})`);
    (out[method] ??= {})[option] = parseValue(raw);
  }
  return out;
}

function parseValue(raw: string): unknown {
  if (raw === 'true' || raw === 'false') return raw === 'true';
  if (raw !== '' && Number.isFinite(Number(raw))) return Number(raw);
  if (/^[[{]/.test(raw)) {
    try {
      return JSON.parse(raw);
    } catch {
      throw new UsageError(`--set value '${raw}' looks like JSON but does not parse`);
    }
  }
  return raw;
}

function parseMethods(value: string | undefined): string[] {
  const known = listMethods() as string[];
  const methods = value === undefined ? DEFAULT_METHODS : list([value]);
  if (methods.length === 0) throw new UsageError(`--methods is empty; give one or more of: all, ${known.join(', ')}`);
  const expanded = methods.includes('all') ? known : methods;
  const unknown = expanded.filter((m) => !known.includes(m));
  if (unknown.length) throw new UsageError(`--methods: unknown method(s) ${unknown.join(', ')}; valid: all, ${known.join(', ')}`);
  return [...new Set(expanded)];
}

/** Parses `webxai [explain|merge] ...` argv (without node and the script); throws UsageError. */
export function parseCliArgs(argv: readonly string[], env: NodeJS.ProcessEnv = {}): ExplainArgs | MergeArgs | 'help' {
  const args = argv.filter((a) => a !== '--');
  if (args[0] === 'merge') return parseMergeArgs(args.slice(1));
  const rest = args[0] === 'explain' ? args.slice(1) : args;
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      options: {
        model: { type: 'string', multiple: true },
        images: { type: 'string', multiple: true },
        labels: { type: 'string' },
        resize: { type: 'string' },
        preprocess: { type: 'string' },
        methods: { type: 'string' },
        method: { type: 'string' }, // the old spelling
        set: { type: 'string', multiple: true },
        target: { type: 'string' },
        metrics: { type: 'boolean' },
        backend: { type: 'string' },
        batch: { type: 'string' },
        seed: { type: 'string' },
        out: { type: 'string' },
        force: { type: 'boolean' },
        quiet: { type: 'boolean', short: 'q' },
        shard: { type: 'string' },
        top: { type: 'string' },
        'max-pixels': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: false,
      strict: true,
    });
  } catch (error) {
    throw new UsageError(`${(error as Error).message} (see --help)`);
  }
  const v = parsed.values;
  if (v.help) return 'help';
  if (v.method !== undefined && v.methods !== undefined) throw new UsageError('give --methods once (--method is its old spelling)');
  const methods = parseMethods(v.methods ?? v.method);
  const resize = v.resize;
  if (resize !== undefined && !(RESIZE_MODES as readonly string[]).includes(resize)) {
    throw new UsageError(`--resize must be one of ${RESIZE_MODES.join(', ')}, got '${resize}'`);
  }
  const preprocess = v.preprocess;
  if (preprocess !== undefined && !isPreprocessPreset(preprocess)) {
    throw new UsageError(`--preprocess must be one of ${PREPROCESS_PRESETS.join(', ')}, got '${preprocess}'`);
  }
  const backend = v.backend ?? 'webgpu';
  if (backend !== 'webgpu' && backend !== 'cpu') throw new UsageError(`--backend must be webgpu or cpu, got '${backend}'`);
  const target = v.target ?? 'predicted';
  if (target.trim() === '') throw new UsageError(`--target must be 'predicted', a class index or a label, got ''`);
  const out = v.out ?? 'out';
  if (out.trim() === '') throw new UsageError('--out must name a folder, got an empty string');
  const model = list(v.model);
  const images = list(v.images);
  if (v.model !== undefined && model.length === 0)
    throw new UsageError('--model is empty; give a model.json, a Teachable Machine folder, an .onnx file or builtin:mnist');
  if (v.images !== undefined && images.length === 0) throw new UsageError('--images is empty; give files, folders or globs');
  return {
    command: 'explain',
    model: model.length ? model : [DEFAULT_MODEL],
    images: images.length ? images : [DEFAULT_IMAGES],
    labels: v.labels,
    resize: resize as ResizeMode | undefined,
    preprocess: preprocess,
    methods,
    methodOptions: parseMethodOptions(v.set ?? [], methods),
    target,
    metrics: v.metrics ?? false,
    backend,
    batch: v.batch === undefined ? undefined : integer('--batch', v.batch, 1, 1),
    seed: integer('--seed', v.seed, 0, 0),
    out,
    force: v.force ?? false,
    quiet: v.quiet ?? false,
    shard: v.shard === undefined ? undefined : parseShard(v.shard, env),
    maxPixels: integer('--max-pixels', v['max-pixels'], DEFAULT_MAX_PIXELS, 1),
    top: integer('--top', v.top, 3, 1),
  };
}

function parseMergeArgs(argv: readonly string[]): MergeArgs | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: { out: { type: 'string' }, quiet: { type: 'boolean', short: 'q' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError(`${(error as Error).message} (usage: webxai merge <dirs...> --out <dir>)`);
  }
  if (parsed.values.help) return 'help';
  if (parsed.positionals.length === 0)
    throw new UsageError('merge needs the output folders of the shards: webxai merge <dirs...> --out <dir>');
  const out = parsed.values.out;
  if (!out) throw new UsageError('merge needs --out <dir> for the merged results.json and report.html');
  return { command: 'merge', dirs: parsed.positionals, out, quiet: parsed.values.quiet ?? false };
}
