// SPDX-License-Identifier: Apache-2.0
// `pnpm bench -- --browser`: serves browser/index.html with Vite (workspace packages from source) and
// runs it in headless Chromium (WebGPU; SwiftShader on a GPU-less machine), then prints per method
// webxai's GPU-path time, its ratio to the bare tfjs passes timed interleaved in the same page, and
// webxai's CPU-path time. `--filter profile`: per-kernel times of one MNIST forward and forward +
// backward pass (batch 16, or --batch), webgpu beside cpu. `--filter timeline`: every dispatch of the
// feature case's runs (visualizeFeature and its bare passes) timed on the GPU, summed per kernel;
// `--filter "timeline <name>"` the same for the MNIST method cases whose name holds <name>.
import { loadavg } from 'node:os';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  PASS_TIME_ROWS,
  RECORD_TIME_ROW,
  WALL_TIME_ROW,
  type BrowserResult,
  type BrowserRow,
  type ExplainerRow,
  type HeatmapRow,
  type RoundTripRow,
  type ProfileRow,
} from './browser-cases.js';
import { intervalHolds } from './median.js';
import { TIMELINE_BUSY_ROW, TIMELINE_IDLE_ROW, TIMELINE_WALL_ROW, type TimelineRow } from './gpu-timeline.js';

export type { BrowserResult, BrowserRow, ExplainerRow, HeatmapRow, ProfileRow, RoundTripRow } from './browser-cases.js';

/** Options of {@link runBrowserBench}. */
export interface BrowserBenchOptions {
  readonly quick: boolean;
  readonly filter?: string;
  readonly rounds?: number;
  /** Images per model call for the forward-pass cases (default: webxai's default batch). */
  readonly batch?: number;
  /** tfjs flags the page sets after configureTfjs(), as JSON. */
  readonly tfjsFlags?: string;
  /** Keep webxai's per-dispatch validation scopes on in the page (off by default, as in Node's bench). */
  readonly validation?: boolean;
  readonly log: (line: string) => void;
}

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const toolsDir = join(packageDir, '..', '..', 'tools');

/** Runs the browser page to completion and returns its rows (rows are logged as they arrive). */
export async function runBrowserBench(options: BrowserBenchOptions): Promise<BrowserResult> {
  // Imported here: Node-only runs of the bench never load Vite or Playwright.
  const { createServer, defaultClientConditions } = await import('vite');
  const { chromium } = await import('playwright-core');
  const { CHROMIUM_ARGS, CHROMIUM_PATH } = (await import(
    pathToFileURL(join(toolsDir, 'chromium.mjs')).href
  )) as typeof import('../../../tools/chromium.mjs');
  const { wgsl } = (await import(pathToFileURL(join(toolsDir, 'wgsl-plugin.mjs')).href)) as typeof import('../../../tools/wgsl-plugin.mjs');
  const { SOURCE_CONDITION } = (await import(
    pathToFileURL(join(toolsDir, 'vitest-preset.mjs')).href
  )) as typeof import('../../../tools/vitest-preset.mjs');

  const server = await createServer({
    root: join(packageDir, 'browser'),
    configFile: false,
    plugins: [wgsl()],
    resolve: { conditions: [SOURCE_CONDITION, ...defaultClientConditions] },
    optimizeDeps: { include: ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-webgpu'] },
    // No HMR and no file watching: editing the tree during a run must not reload the page mid-measurement.
    server: { host: '127.0.0.1', port: 0, hmr: false, watch: null, fs: { allow: [join(packageDir, '..', '..')] } },
    logLevel: 'warn',
  });
  await server.listen();
  const base = server.resolvedUrls?.local[0];
  if (!base) throw new Error('vite dev server has no local URL');
  const userDataDir = await mkdtemp(join(tmpdir(), 'webxai-bench-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (e) => options.log(`[pageerror] ${e.message}`));
    page.on('console', (message) => {
      const text = message.text();
      if (text.startsWith('bench-row ')) options.log(`  ${formatRow(JSON.parse(text.slice('bench-row '.length)) as BrowserRow)}`);
      else if (text.startsWith('bench-heatmap '))
        options.log(`  ${formatHeatmapRow(JSON.parse(text.slice('bench-heatmap '.length)) as HeatmapRow)}`);
      else if (text.startsWith('bench-explainer '))
        options.log(`  ${formatExplainerRow(JSON.parse(text.slice('bench-explainer '.length)) as ExplainerRow)}`);
      else if (text.startsWith('bench-profile '))
        options.log(`  ${formatProfileRow(JSON.parse(text.slice('bench-profile '.length)) as ProfileRow)}`);
      else if (message.type() === 'error') options.log(`[console] ${text}`);
    });
    const query = new URLSearchParams({
      quick: options.quick ? '1' : '0',
      filter: options.filter ?? '',
      ...(options.rounds !== undefined && { rounds: String(options.rounds) }),
      ...(options.batch !== undefined && { batch: String(options.batch) }),
      ...(options.tfjsFlags !== undefined && { tfjsFlags: options.tfjsFlags }),
      validation: options.validation ? '1' : '0',
      fixtures: `/@fs${join(packageDir, '..', 'models', 'fixtures')}`,
    });
    await page.goto(`${base}index.html?${query}`, { timeout: 300_000 });
    await page.waitForFunction(() => document.body.dataset.state !== 'pending', null, { timeout: 3_600_000, polling: 1000 });
    const result = await page.evaluate(() => (window as unknown as { benchResult: BrowserResult }).benchResult);
    if (result.error) throw new Error(`browser bench failed in the page: ${result.error}`);
    return result;
  } finally {
    await context.close();
    await server.close();
    await rm(userDataDir, { recursive: true, force: true });
  }
}

const HEADER =
  'method                                   passes  model imgs   bare gpu ms   gpu ms  gpu/bare  95% interval  bare cpu ms   cpu ms  gpu/cpu  submits  readbacks';

/** A row's gpu/bare interval as "1.02-1.21", a '*' after it when the row's goal lies inside; '-' without one. */
export function intervalCell(r: BrowserRow): string {
  if (!r.gpuRatioInterval) return '- ';
  const [low, high] = r.gpuRatioInterval;
  return `${low.toFixed(2)}-${high.toFixed(2)}${intervalHolds({ low, high }, r.goal) ? '*' : ' '}`;
}

function formatRow(r: BrowserRow): string {
  const passes = `${r.bare.images}${r.bare.kind === 'gradient' ? 'g' : 'f'}${r.bare.extraForward ? `+${r.bare.extraForward}f` : ''}`;
  const n = (v: number, width: number, digits = 0) => v.toFixed(digits).padStart(width);
  // The images the method itself sent through the model (beside the bare passes: do they cover it?).
  const images = r.methodImages === undefined ? '-' : String(r.methodImages);
  return `${r.name.padEnd(40)} ${passes.padStart(6)} ${images.padStart(11)} ${n(r.bareGpuMs, 13)} ${n(r.gpuMs, 8)} ${n(r.gpuRatio, 9, 2)} ${intervalCell(r).padStart(13)} ${n(r.bareCpuMs, 12)} ${n(r.cpuMs, 8)} ${n(r.gpuOverCpu, 8, 2)} ${n(r.gpuCalls.submit ?? 0, 8)} ${n(r.gpuCalls.mapAsync ?? 0, 10)}`;
}

function formatHeatmapRow(r: HeatmapRow): string {
  const n = (v: number, width: number, digits = 0) => v.toFixed(digits).padStart(width);
  return `${`${r.name} ${r.size}x${r.size}`.padEnd(40)} ${n(r.frames, 6)} ${n(r.drawsPerSecond, 9, 1)} ${n(1000 / r.drawsPerSecond, 9, 1)} ${n(r.readbacksPerDraw, 15, 2)} ${n(r.asyncReadoutsPerDraw, 14, 2)} ${n(r.submitsPerDraw, 13, 1)}`;
}

/** The `<xai-heatmap>` table: draws per second and readbacks per frame of each path. */
function formatHeatmapTable(rows: readonly HeatmapRow[]): string[] {
  return [
    'element                                  frames  draws/s  ms/draw  readbacks/draw  async/draw  submits/draw',
    ...rows.map(formatHeatmapRow),
    'cpu-range: tensor.data() + {data, shape} (range read back); gpu-range: the tensor itself (GPU range, async read-out).',
    'readbacks/draw: mapAsync the drawing waits for; async/draw: the read-outs of legend numbers and NaN check nothing waits for.',
  ];
}

function formatExplainerRow(r: ExplainerRow): string {
  const n = (v: number, width: number, digits = 0) => v.toFixed(digits).padStart(width);
  return `${r.name.padEnd(40)} ${n(r.explanations, 6)} ${n(r.explanationsPerSecond, 9, 1)} ${n(1000 / r.explanationsPerSecond, 8, 1)} ${n(r.readbacksPerExplanation, 15, 2)} ${n(r.asyncReadoutsPerExplanation, 11, 2)} ${n(r.submitsPerExplanation, 13, 1)}`;
}

/** The `<xai-explainer>` table: explanations per second and readbacks per explanation. */
function formatExplainerTable(rows: readonly ExplainerRow[]): string[] {
  return [
    'element                                  expl.   expl/s  ms/expl  readbacks/expl  async/expl  submits/expl',
    ...rows.map(formatExplainerRow),
    "readbacks/expl: mapAsync something waits for (the method's own and the element's); async/expl: the heatmap's legend read-outs.",
  ];
}

function formatProfileRow(r: ProfileRow): string {
  // A NaN time arrives from the page as JSON null.
  const n = (v: number | null, width: number, digits = 1) => (v ?? NaN).toFixed(digits).padStart(width);
  return `${`${r.pass} b${r.batch}`.padEnd(20)} ${r.kernel.padEnd(60)} ${n(r.gpuMs, 9)} ${n(r.cpuMs, 9)} ${n(r.gpuMs / r.cpuMs, 8, 2)}`;
}

/** The per-kernel profile table, with each pass's totals. */
function formatProfileTable(rows: readonly ProfileRow[]): string[] {
  const totals = [...new Set(rows.map((r) => r.pass))].map((pass) => {
    const of = rows.filter((r) => r.pass === pass && !PASS_TIME_ROWS.includes(r.kernel));
    const sum = (key: 'gpuMs' | 'cpuMs') => of.reduce((s, r) => s + (Number.isFinite(r[key]) ? r[key] : 0), 0);
    return formatProfileRow({ pass, batch: of[0]!.batch, kernel: 'total', gpuMs: sum('gpuMs'), cpuMs: sum('cpuMs') });
  });
  return [
    'pass                 kernel (input shapes)                                           webgpu ms    cpu ms  gpu/cpu',
    ...rows.map(formatProfileRow),
    ...totals,
    'webgpu: tf.profile kernelTimeMs (GPU timestamp queries); cpu: wall time per kernel; medians over the rounds.',
    `total: the kernels tf.profile saw; webxai's own kernels (direct conv on software adapters) are only in the ${WALL_TIME_ROW} row.`,
    `${RECORD_TIME_ROW}: until the readback is asked for; the rest of the wall time waits for the GPU (or, on cpu, nothing).`,
  ];
}

/** The round-trip table: what one readback costs in this browser. */
function formatRoundTripTable(rows: readonly RoundTripRow[]): string[] {
  return [
    'round trip (a device of its own, nothing else queued)          runs   median ms',
    ...rows.map((r) => `${r.name.padEnd(60)} ${String(r.runs).padStart(6)} ${r.medianMs.toFixed(2).padStart(11)}`),
    'performance.now() is coarsened to 0.1 ms in a page that is not cross-origin isolated.',
  ];
}

/** The timeline table: per side, each kernel's dispatches and GPU ms per run, then the totals. */
function formatTimelineTable(rows: readonly TimelineRow[]): string[] {
  const line = (r: TimelineRow) =>
    `${r.side.padEnd(18)} ${r.kernel.padEnd(42)} ${String(r.dispatches).padStart(10)} ${r.gpuMs.toFixed(2).padStart(9)}`;
  return [
    'side               kernel                                     dispatches    gpu ms',
    ...rows.map(line),
    `gpu ms: median over the runs of the kernel's summed GPU time per run (timestamp queries, a compute pass per dispatch).`,
    `${TIMELINE_BUSY_ROW}: every dispatch summed; ${TIMELINE_IDLE_ROW}: the GPU waiting between them; ${TIMELINE_WALL_ROW}: until the GPU was done.`,
  ];
}

/** The browser table: one line per method (passes: images through the model, f forward / g gradient). */
export function formatBrowserTable(result: BrowserResult): string {
  return [
    `browser: ${result.adapter} (${result.userAgent.match(/(Headless)?Chrome\/[\d.]+/)?.[0] ?? result.userAgent}), load ${loadavg()[0]!.toFixed(1)}`,
    HEADER,
    ...result.rows.map(formatRow),
    'gpu/bare: webxai GPU path over the bare tfjs passes it needs (goal: at most 1.15; 1.1 for perturbation methods and the metrics',
    '  that do not explain again); 95% interval: of its median over the rounds (order statistics, from 6 rounds), * when the goal lies',
    '  inside it (this run cannot tell the row from its goal). gpu/cpu: above 1 = GPU path slower than webxai on tfjs cpu',
    "  (short rows: median over up to 4 alternating blocks of webgpu then cpu rounds, the ratio of each block pair's medians;",
    '  rows whose cpu warm-up takes 2 s or more: 1 timed cpu round unless --rounds is given).',
    'submits / readbacks: queue.submit and mapAsync calls during one GPU-path explanation.',
    ...(result.heatmapRows ? formatHeatmapTable(result.heatmapRows) : []),
    ...(result.explainerRows ? formatExplainerTable(result.explainerRows) : []),
    ...(result.profileRows ? formatProfileTable(result.profileRows) : []),
    ...(result.roundTripRows ? formatRoundTripTable(result.roundTripRows) : []),
    ...(result.timelineRows ? formatTimelineTable(result.timelineRows) : []),
  ].join('\n');
}
