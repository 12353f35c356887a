// SPDX-License-Identifier: Apache-2.0
// Live-mode frames per second (a benchmark, not a test): the demo's live pipeline (crop, Grad-CAM,
// smoothing, read-back, heatmap drawn) against tfjs's bare predict (crop, predict, read-back) on the
// same camera frames, for the shipped MNIST CNN and a 224x224 MobileNetV2 (seeded weights, built in
// code). Rounds alternate bare and live so that machine load hits both alike. Query: ?frames=N&rounds=R&models=mnist,mobilenet
import * as tf from '@tensorflow/tfjs';
import { createExplainer, tfjsDevice, type Explainer, type MethodName } from '@webxai/core';
import { loadMnistCnn } from '@webxai/models';
import { mobileNetV2 } from '@webxai/testing/models';
import '@webxai/ui';
import type { XaiHeatmap } from '@webxai/ui';
import { initBackend } from '../src/backend.js';
import { openCamera, stopCamera } from '../src/camera.js';
import { cropFrame, explainFrame } from '../src/live.js';

interface Case {
  readonly name: string;
  readonly model: tf.LayersModel;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly frames: number;
}

interface Row {
  readonly model: string;
  readonly frames: number;
  readonly bareFps: number;
  readonly liveFps: number;
  /** live fps / bare fps: 1 means explaining costs nothing on top of predicting. */
  readonly ratio: number;
  readonly bareMsPerFrame: number;
  readonly liveMsPerFrame: number;
}

const params = new URLSearchParams(location.search);
const rounds = Number(params.get('rounds') ?? 3);

/** Seconds for `frames` frames of crop + predict + read back. */
async function bare(video: HTMLVideoElement, c: Case): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < c.frames; i++) {
    const rgb = cropFrame(video, c.height, c.width);
    const scores = tf.tidy(() => c.model.predict(c.channels === 1 ? tf.mean(rgb, 3, true) : rgb) as tf.Tensor);
    await scores.data();
    tf.dispose([rgb, scores]);
  }
  return (performance.now() - started) / 1000;
}

/** Seconds for `frames` frames of the live pipeline, the heatmap drawn each frame. */
async function live(video: HTMLVideoElement, c: Case, explainer: Explainer<MethodName>, heatmap: XaiHeatmap): Promise<number> {
  let ema: tf.Tensor2D | undefined;
  const started = performance.now();
  for (let i = 0; i < c.frames; i++) {
    const frame = await explainFrame(video, c, explainer, ema, 0.6);
    ema?.dispose();
    ema = frame.ema;
    heatmap.image = frame.image;
    heatmap.attribution = { data: frame.map, shape: [c.height, c.width] };
    await heatmap.renderComplete;
  }
  ema?.dispose();
  return (performance.now() - started) / 1000;
}

async function run(): Promise<Row[]> {
  const backend = await initBackend('webgpu');
  const heatmap = document.querySelector<XaiHeatmap>('#heatmap')!;
  heatmap.device = backend.backend === 'webgpu' ? tfjsDevice() : undefined;
  const wanted = (params.get('models') ?? 'mnist,mobilenet').split(',');
  const cases: Case[] = [];
  if (wanted.includes('mnist'))
    cases.push({
      name: 'MNIST CNN 28x28x1',
      model: await loadMnistCnn(),
      height: 28,
      width: 28,
      channels: 1,
      frames: Number(params.get('frames') ?? 30),
    });
  if (wanted.includes('mobilenet')) {
    cases.push({
      name: 'MobileNetV2 224x224x3',
      model: mobileNetV2({ size: 224 }),
      height: 224,
      width: 224,
      channels: 3,
      frames: Number(params.get('bigFrames') ?? 4),
    });
  }
  const { video, stream } = await openCamera();
  const rows: Row[] = [];
  try {
    for (const c of cases) {
      const explainer = createExplainer(c.model, { method: 'grad-cam', target: 'predicted' });
      // Warm-up: pipelines compiled, weights uploaded, once for each side.
      await bare(video, { ...c, frames: 1 });
      await live(video, { ...c, frames: 1 }, explainer, heatmap);
      let bareSeconds = 0;
      let liveSeconds = 0;
      for (let r = 0; r < rounds; r++) {
        bareSeconds += await bare(video, c);
        liveSeconds += await live(video, c, explainer, heatmap);
      }
      explainer.dispose();
      const n = c.frames * rounds;
      rows.push({
        model: c.name,
        frames: n,
        bareFps: n / bareSeconds,
        liveFps: n / liveSeconds,
        ratio: bareSeconds / liveSeconds,
        bareMsPerFrame: (1000 * bareSeconds) / n,
        liveMsPerFrame: (1000 * liveSeconds) / n,
      });
      c.model.dispose();
    }
  } finally {
    stopCamera(video, stream);
  }
  return rows;
}

const out = window as unknown as { liveBench: { rows?: Row[]; error?: string; adapter?: string } };
out.liveBench = {};
run().then(
  (rows) => {
    out.liveBench.rows = rows;
    document.body.dataset.state = 'done';
  },
  (e: unknown) => {
    out.liveBench.error = e instanceof Error ? `${e.message}\n${e.stack}` : String(e);
    document.body.dataset.state = 'error';
  },
);
