// SPDX-License-Identifier: Apache-2.0
// `<xai-heatmap>` draw rate on a stream of 224x224 attribution tensors (tfjs webgpu), two ways:
//   cpu-range: the tensor is read back (tensor.data()) and handed over as {data, shape}; the element
//              computes the range with two more readbacks (HeatmapRenderer.render) — the path every
//              tensor took before the GPU-range draw existed;
//   gpu-range: the tensor itself; the element draws from its buffer with no readback and fetches the
//              numbers asynchronously (HeatmapRenderer.draw + requestReadout).
// Every frame is a fresh tensor (a scaled copy of one of a few random maps, as a live explanation
// would produce), so tfjs has no CPU copy cached. Each frame waits for its picture (drawComplete), as
// a frame loop would; the stream's last read-out is awaited before the clock stops. Rounds interleave
// the two paths; the first round is a warm-up.
import * as tf from '@tensorflow/tfjs';
import '@webxai/ui';
import type { XaiHeatmap } from '@webxai/ui';
import type { HeatmapRow } from '../src/browser-cases.js';
import { median } from './measure.js';

const SIZE = 224;
const DISTINCT_FRAMES = 4;

type Counted = (work: () => Promise<void>) => Promise<Record<string, number>>;

function greyImage(size: number): ImageData {
  const data = new Uint8ClampedArray(size * size * 4).fill(128);
  return new ImageData(data, size, size);
}

/** Runs `frames` frames through `el` by one path. */
async function stream(el: XaiHeatmap, frames: number, maps: readonly tf.Tensor2D[], path: 'cpu-range' | 'gpu-range'): Promise<void> {
  let previous: tf.Tensor | undefined;
  for (let i = 0; i < frames; i++) {
    const map = tf.mul(maps[i % maps.length]!, 1 + i / frames);
    el.attribution = path === 'gpu-range' ? map : { data: await map.data(), shape: map.shape };
    await el.drawComplete;
    previous?.dispose(); // the element has moved on to `map`
    previous = map;
  }
  await el.renderComplete; // the last frame's numbers (legend, NaN check) have arrived
  previous?.dispose();
  if (el.state !== 'ready') throw new Error(`<xai-heatmap> ${path}: state ${el.state}: ${el.error?.message ?? ''}`);
}

/** Draw rates of both paths (tfjs must be on its webgpu backend). */
export async function heatmapBench(quick: boolean, rounds: number, counted: Counted): Promise<HeatmapRow[]> {
  const frames = quick ? 20 : 60;
  const maps = Array.from({ length: DISTINCT_FRAMES }, (_, k) => tf.randomNormal([SIZE, SIZE], 0, 1, 'float32', k + 1) as tf.Tensor2D);
  const el = document.createElement('xai-heatmap');
  Object.assign(el, { image: greyImage(SIZE), renderer: 'webgpu', signed: 'both', colormap: 'RdBu' });
  document.body.append(el);
  const paths = ['cpu-range', 'gpu-range'] as const;
  const seconds: Record<(typeof paths)[number], number[]> = { 'cpu-range': [], 'gpu-range': [] };
  try {
    for (let round = 0; round <= rounds; round++) {
      for (const path of paths) {
        const start = performance.now();
        await stream(el, frames, maps, path);
        if (round > 0) seconds[path].push((performance.now() - start) / 1000);
      }
    }
    const rows: HeatmapRow[] = [];
    for (const path of paths) {
      const calls = await counted(() => stream(el, frames, maps, path));
      rows.push({
        name: `xai-heatmap ${path}`,
        size: SIZE,
        frames,
        drawsPerSecond: frames / median(seconds[path]),
        readbacksPerDraw: ((calls.mapAsync ?? 0) - (calls.readout ?? 0)) / frames,
        asyncReadoutsPerDraw: (calls.readout ?? 0) / frames,
        submitsPerDraw: (calls.submit ?? 0) / frames,
      });
    }
    return rows;
  } finally {
    el.remove();
    tf.dispose(maps);
  }
}
