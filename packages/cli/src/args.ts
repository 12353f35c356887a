// SPDX-License-Identifier: Apache-2.0
import { parseArgs } from 'node:util';

/** What `webxai` / `pnpm explain` was asked to do. */
export interface CliOptions {
  readonly methods: string[];
  readonly samples: number;
  readonly out: string;
  readonly backend: 'webgpu' | 'cpu';
  readonly json: boolean;
}

export const DEFAULT_METHODS = ['saliency', 'integrated-gradients', 'smoothgrad', 'grad-cam', 'score-cam', 'occlusion'];

export const USAGE = `Usage: pnpm explain [-- options]
Explains the embedded MNIST CNN's decisions on its embedded held-out digits, on WebGPU (Dawn),
prints a table and writes one heatmap strip per method (PNG) to the output folder.

  --method a,b,...   methods (default: ${DEFAULT_METHODS.join(',')}); 'all' for every method
  --samples N        digits to explain, 1..20 (default 10: one per class)
  --out DIR          output folder for PNGs and summary.json (default: out)
  --backend NAME     tfjs backend: webgpu (default) or cpu (webxai's CPU references)
  --json             print the summary as JSON instead of a table
  --help             this text`;

/** Parses argv; throws with a readable message on bad flags. */
export function parseCliArgs(argv: string[]): CliOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      method: { type: 'string' },
      samples: { type: 'string' },
      out: { type: 'string' },
      backend: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: false,
  });
  if (values.help) return 'help';
  const samples = Number(values.samples ?? 10);
  if (!Number.isInteger(samples) || samples < 1 || samples > 20) throw new Error(`--samples must be an integer in 1..20, got ${values.samples}`);
  const backend = values.backend ?? 'webgpu';
  if (backend !== 'webgpu' && backend !== 'cpu') throw new Error(`--backend must be webgpu or cpu, got ${backend}`);
  return {
    methods: (values.method ?? DEFAULT_METHODS.join(',')).split(',').map((m) => m.trim()).filter(Boolean),
    samples,
    out: values.out ?? 'out',
    backend,
    json: values.json ?? false,
  };
}
