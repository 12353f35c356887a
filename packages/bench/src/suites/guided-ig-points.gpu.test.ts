// SPDX-License-Identifier: Apache-2.0
// recordGuidedIgPoints records the points Guided IG's gradient passes run at, on the bench's tiny
// CNN and image on tfjs's webgpu backend, and leaves no tensor behind. Never timings.
import type * as tfNamespace from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webgpuTfjs, type WebGpuTfjs } from './shared.js';
import { recordGuidedIgPoints, type GuidedIgRun } from './guided-ig-points.js';

const STEPS = 16;
let tfjs: WebGpuTfjs;
let run: GuidedIgRun;

beforeAll(async () => {
  tfjs = await webgpuTfjs({});
  const testing = await import('@webxai/testing/models');
  const weights = testing.tinyCnnWeights({ height: 32, width: 32, channels: 3, filters: 16, classes: 10, seed: 1 });
  const model = testing.tinyCnn('sequential', weights);
  const x = tfjs.tf.randomUniform<tfNamespace.Rank.R4>([1, 32, 32, 3], 0, 1, 'float32', 7);
  run = { model, x, target: 3, steps: STEPS };
});

afterAll(() => {
  run.x.dispose();
  run.model.dispose();
});

async function bitsOf(tensor: tfNamespace.Tensor): Promise<Uint32Array> {
  return new Uint32Array(((await tensor.data()) as Float32Array).slice().buffer);
}

/** How many of `points`' values are subnormal (0 < |v| < 2^-126): a software GPU may run those slowly. */
async function subnormalCount(points: readonly tfNamespace.Tensor[]): Promise<number> {
  let count = 0;
  for (const point of points) {
    for (const v of (await point.data()) as Float32Array) if (v !== 0 && Math.abs(v) < 2 ** -126) count++;
  }
  return count;
}

/** A scalar's value; disposes it. */
async function valueOf(scalar: tfNamespace.Tensor): Promise<number> {
  const value = (await scalar.data())[0]!;
  scalar.dispose();
  return value;
}

describe('recordGuidedIgPoints (tiny CNN 32x32x3, webgpu)', () => {
  it("records one point per step, from the baseline, and the recording explanation is Guided IG's own", async () => {
    const { tf, core } = tfjs;
    const before = tf.memory().numTensors;
    const points = await recordGuidedIgPoints(tf, core, run);
    expect(points).toHaveLength(STEPS);
    expect(points.every((p) => p.shape.join() === run.x.shape.join())).toBe(true);
    expect(Array.from(await points[0]!.data()).every((v) => v === 0)).toBe(true); // the zeros baseline

    // The adaptive path leaves the straight line x * i / k (else the bare side needs no recording)
    // but stays near it: within maxDist (0.02) of its total L1 distance, plus one step of the line.
    const total = await valueOf(tf.tidy(() => tf.sum(tf.abs(run.x))));
    const offLine = await Promise.all(
      points.map(async (p, i) => (await valueOf(tf.tidy(() => tf.sum(tf.abs(tf.sub(p, tf.mul(run.x, i / STEPS))))))) / total),
    );
    expect(Math.max(...offLine)).toBeGreaterThan(0);
    expect(Math.max(...offLine)).toBeLessThan(0.02 + 1 / STEPS);
    expect(await subnormalCount(points)).toBe(0);

    // The recording model computes what the model's own adapter computes: the same attribution bits.
    const recorded = await core.explain(run.model, run.x, { method: 'guided-ig', steps: STEPS, target: run.target });
    const again = await core.explain((b: tfNamespace.Tensor4D) => core.adaptModel(run.model).forward!(b), run.x, {
      method: 'guided-ig',
      steps: STEPS,
      target: run.target,
    });
    expect(await bitsOf(again.attribution)).toEqual(await bitsOf(recorded.attribution));
    tf.dispose([recorded.attribution, again.attribution, ...points]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('disposes what it recorded when the explanation fails', async () => {
    const { tf, core } = tfjs;
    const before = tf.memory().numTensors;
    await expect(recordGuidedIgPoints(tf, core, { ...run, target: 99 })).rejects.toThrow();
    expect(tf.memory().numTensors).toBe(before);
  });
});
