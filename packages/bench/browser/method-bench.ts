// SPDX-License-Identifier: Apache-2.0
// A method case in the page: its explainer and its bare passes on tfjs's current backend, timed in
// interleaved rounds (measureMethod) or with every dispatch timed on the GPU (methodTimeline).
import * as tf from '@tensorflow/tfjs';
import { createExplainer, disposeResult, tfjsDevice, type Explainer, type MethodName } from '@webxai/core';
import { countedBare, type BarePasses, type BrowserCase } from '../src/browser-cases.js';
import { timelineRows, type TimelineRow } from '../src/gpu-timeline.js';
import { barePasses } from './bare-passes.js';
import { alternatingTimelines } from './gpu-timeline.js';
import { measure, modelCalls, settleGpu, type MethodTimes, type Sides } from './measure.js';

/** A model with the image it explains and that image's predicted class. */
export interface Subject {
  readonly model: tf.LayersModel;
  readonly image: tf.Tensor4D;
  readonly target: number;
  /** Other images of the data set (expected-gradients' baseline distribution). */
  readonly background?: tf.Tensor4D;
}

/** A case's two sides, the bare passes they run, and the images the method's last run sent through the model. */
interface MethodSides extends Sides {
  readonly passes: BarePasses;
  readonly methodImages: () => number;
}

/** The first `count` images of the subject's background (a new tensor: the caller disposes it). */
function backgroundOf(subject: Subject, count: number): tf.Tensor4D {
  if (!subject.background || subject.background.shape[0] < count) throw new Error(`the case needs ${count} background images`);
  return tf.slice(subject.background, 0, count);
}

/** Runs `use` with the case's sides on the current backend (its explainer made for it, disposed after). */
async function withMethodSides<T>(subject: Subject, c: BrowserCase, use: (sides: MethodSides) => Promise<T>): Promise<T> {
  const { model, image, target } = subject;
  const baselines = c.background ? backgroundOf(subject, c.background) : undefined;
  const explainer: Explainer<MethodName> = createExplainer(model, { target, ...c.options, ...(baselines && { baselines }) } as never);
  let lastCalls: number[] = [];
  const explainOnce = async () => {
    lastCalls = await modelCalls(async () => {
      const result = await explainer.explain(image);
      await result.attribution.data(); // the picture is read, as a page drawing it would
      disposeResult(result); // attribution and whatever else the method returns (XRAI's ranks, LIME's segments)
    });
  };
  try {
    // A counted case's bare side replays the calls of an explanation on this backend (also a warm-up run).
    if (c.bare.kind === 'counted-forward') await explainOnce();
    const passes = c.bare.kind === 'counted-forward' ? countedBare(lastCalls) : c.bare;
    return await use({
      bare: () => barePasses(model, image, target, passes),
      method: explainOnce,
      passes,
      methodImages: () => lastCalls.reduce((sum, n) => sum + n, 0),
    });
  } finally {
    explainer.dispose();
    baselines?.dispose();
  }
}

/** Rounds of bare passes and the method, interleaved, on the current backend (after `warmupMs` of warm-up: measure.ts). */
export function measureMethod(subject: Subject, c: BrowserCase, rounds: number, warmupMs?: number): Promise<MethodTimes> {
  return withMethodSides(subject, c, async (sides) => ({
    ...(await measure(sides, rounds, warmupMs)),
    passes: sides.passes,
    methodImages: sides.methodImages(),
  }));
}

/**
 * A case's GPU timeline on webgpu: after a warm-up round, `rounds` runs of its bare passes and of the
 * method, alternating, every dispatch timed (browser/gpu-timeline.ts), as table rows under `name`.
 */
export async function sidesTimeline(name: string, sides: Sides, rounds: number): Promise<TimelineRow[]> {
  await tf.setBackend('webgpu');
  // The timeline needs the GPU idle when a side resolves (a readback waits for its own work only).
  const settled = (work: () => Promise<void>) => async () => {
    await work();
    await settleGpu();
  };
  const runs = await alternatingTimelines(tfjsDevice(), { bare: settled(sides.bare), method: settled(sides.method) }, rounds);
  return [...timelineRows('bare', runs.bare), ...timelineRows(name, runs.method)];
}

/** The method case's GPU timeline (`--filter "timeline <case>"`): {@link sidesTimeline}. */
export async function methodTimeline(subject: Subject, c: BrowserCase, rounds: number): Promise<TimelineRow[]> {
  await tf.setBackend('webgpu');
  return withMethodSides(subject, c, (sides) => sidesTimeline(c.name, sides, rounds));
}
