// SPDX-License-Identifier: Apache-2.0
// Guided IG's own path points, for the bench's bare side: Guided IG runs its k gradient passes at
// the points of its adaptive path, not at the straight line's x * i / k, and a software GPU's speed
// can depend on the values it computes on (IG's scaled-down points took ~20% longer than random
// images). Replaying the bare passes at the method's own points makes both sides of its ratio run
// the same values.
import type * as tfNamespace from '@tensorflow/tfjs';

type Tf = typeof tfNamespace;
type Core = typeof import('@webxai/core');

/** What one explanation of `x` is recorded with: the model, its class and Guided IG's step count. */
export interface GuidedIgRun {
  readonly model: tfNamespace.LayersModel;
  readonly x: tfNamespace.Tensor4D;
  readonly target: number;
  readonly steps: number;
}

/**
 * The `steps` points at which Guided IG (default options, a zeros baseline) takes its gradient
 * passes on `run.x`: the baseline, then every step's end point but the last. Recorded by one
 * explanation through a model function that keeps a copy of each batch it is given and computes
 * what core's adapter of `run.model` computes (the same forward, so the same path, bit for bit; the
 * test checks the attribution). The caller disposes the points.
 * @throws Error when the explanation did not make exactly `steps` single-image passes.
 */
export async function recordGuidedIgPoints(tf: Tf, core: Core, run: GuidedIgRun): Promise<tfNamespace.Tensor4D[]> {
  const forward = core.adaptModel(run.model).forward!;
  const points: tfNamespace.Tensor4D[] = [];
  const recording = (batch: tfNamespace.Tensor4D) => {
    points.push(tf.keep(batch.clone()));
    return forward(batch);
  };
  try {
    const result = await core.explain(recording, run.x, { method: 'guided-ig', steps: run.steps, target: run.target });
    result.attribution.dispose();
    if (points.length !== run.steps || points.some((p) => p.shape[0] !== 1)) {
      throw new Error(
        `guided-ig made ${points.length} passes (shapes ${points.map((p) => `[${p.shape}]`).join(', ')}), expected ${run.steps} of one image`,
      );
    }
    return points;
  } catch (error) {
    tf.dispose(points);
    throw error;
  }
}
