// SPDX-License-Identifier: Apache-2.0
// Where one MNIST forward + backward pass spends its time, per tfjs kernel, on webgpu and on cpu
// (`--filter profile`): tf.profile's kernelTimeMs (GPU timestamp queries on webgpu, wall time per
// kernel on cpu), medians over rounds after a warm-up, summed per kernel name and input shape.
// tf.profile times only tfjs's own programs: kernels webxai registers in their place (the direct
// convolution on software adapters, ADR 0009 decision 5) read 0 ms there, so each pass also gets a
// wall-time row (run + readback), the number to compare across backends.
import * as tf from '@tensorflow/tfjs';
import { adaptModel, targetGradients } from '@webxai/core';
import { RECORD_TIME_ROW, WALL_TIME_ROW, type ProfileRow } from '../src/browser-cases.js';

/** kernel + input shapes -> ms of one profiled run (kernels that ran several times are summed). */
async function kernelTimes(work: () => tf.Tensor): Promise<Map<string, number>> {
  let out: tf.Tensor | undefined;
  const info = await tf.profile(() => (out = work()));
  out?.dispose();
  const times = new Map<string, number>();
  for (const k of info.kernels) {
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : Number.NaN;
    if (ms === 0 && k.name.endsWith('__op')) continue; // the op wrapper around a kernel reported on its own
    const key = `${k.name} ${k.inputShapes.map((s) => `[${s?.join(',') ?? ''}]`).join(' ')}`;
    times.set(key, (times.get(key) ?? 0) + ms);
  }
  return times;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1]!;
}

/** ms from running `work` to its result read back, and of it until the readback is asked for; outside tf.profile. */
async function wallTime(work: () => tf.Tensor): Promise<{ wall: number; record: number }> {
  const start = performance.now();
  const out = work();
  const record = performance.now() - start;
  await out.data();
  const wall = performance.now() - start;
  out.dispose();
  return { wall, record };
}

/** Medians over `rounds` (after one warm-up) of each kernel's time and of the wall time on the current backend. */
async function profileOn(work: () => tf.Tensor, rounds: number): Promise<Map<string, number>> {
  await kernelTimes(work);
  const runs: Map<string, number>[] = [];
  const walls: { wall: number; record: number }[] = [];
  for (let r = 0; r < rounds; r++) {
    runs.push(await kernelTimes(work));
    walls.push(await wallTime(work));
  }
  const times = new Map([...runs[0]!.keys()].map((key) => [key, median(runs.map((run) => run.get(key) ?? 0))]));
  times.set(WALL_TIME_ROW, median(walls.map((w) => w.wall)));
  return times.set(RECORD_TIME_ROW, median(walls.map((w) => w.record)));
}

/**
 * Per-kernel times of `batch` images through the model, forward only and forward + backward of the
 * target score, on webgpu then cpu (the backend is left on webgpu).
 */
export async function profileBench(
  model: tf.LayersModel,
  image: tf.Tensor4D,
  target: number,
  batch: number,
  rounds: number,
): Promise<ProfileRow[]> {
  const adapter = adaptModel(model);
  const rows: ProfileRow[] = [];
  const passes = {
    forward: (x: tf.Tensor4D) => model.predict(x) as tf.Tensor,
    'forward+backward': (x: tf.Tensor4D) => targetGradients(adapter, x, [target]),
  };
  for (const [pass, run] of Object.entries(passes)) {
    const times: Record<string, Map<string, number>> = {};
    for (const backend of ['webgpu', 'cpu'] as const) {
      await tf.setBackend(backend);
      const x = tf.tidy(() => tf.tile(image, [batch, 1, 1, 1])) as tf.Tensor4D;
      times[backend] = await profileOn(() => run(x), rounds);
      x.dispose();
    }
    for (const [kernel, gpuMs] of times.webgpu!) rows.push({ pass, batch, kernel, gpuMs, cpuMs: times.cpu!.get(kernel) ?? Number.NaN });
  }
  await tf.setBackend('webgpu');
  return rows;
}
