#!/usr/bin/env node
// SPDX-License-Identifier: Apache-2.0
// `pnpm explain`: webxai's main job on the embedded defaults — the shipped MNIST CNN and its held-out
// digits, explained by several methods on WebGPU (Dawn in Node), with heatmap PNGs and a summary.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { installNodeWebGPU } from '@webxai/shaders/node';
import { parseCliArgs, USAGE } from './args.js';

async function main(): Promise<number> {
  const options = parseCliArgs(process.argv.slice(2).filter((a) => a !== '--'));
  if (options === 'help') {
    console.log(USAGE);
    return 0;
  }
  // tfjs-backend-webgpu registers itself at import time only if navigator.gpu exists: install Dawn
  // first, then load the module that imports it.
  installNodeWebGPU();
  const { runExplanations } = await import('./run.js');
  const summary = await runExplanations(options, (line) => !options.json && console.log(line));
  const out = resolve(options.out);
  mkdirSync(out, { recursive: true });
  for (const method of summary.methods) {
    if (method.png) writeFileSync(join(out, `${method.method}.png`), method.png);
  }
  const json = { ...summary, methods: summary.methods.map(({ png: _png, ...rest }) => rest) };
  writeFileSync(join(out, 'summary.json'), JSON.stringify(json, null, 2));
  if (options.json) console.log(JSON.stringify(json, null, 2));
  else console.log(`\nwrote ${summary.methods.filter((m) => m.png).length} heatmap strips and summary.json to ${out}`);
  return summary.methods.some((m) => m.error) ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? `webxai: ${error.message}` : error);
    process.exit(2);
  },
);
