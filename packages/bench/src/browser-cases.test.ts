// SPDX-License-Identifier: Apache-2.0
import { listMethods } from '@webxai/core';
import { describe, expect, it } from 'vitest';
import {
  callSizes,
  countedBare,
  defaultBatch,
  featureCases,
  metricCases,
  mnistCases,
  type BarePasses,
  type CountedForwards,
} from './browser-cases.js';

describe("featureCases (the browser page's feature-visualisation case)", () => {
  it.each([true, false])(
    'quick=%s: the name states the image size, channels and steps; one gradient pass per step over the channel batch and one forward',
    (quick) => {
      for (const c of featureCases(quick)) {
        expect(c.name).toContain(`${c.size}x${c.size}, ${c.units.channels} ch, ${c.steps} steps`);
        expect(c.bare).toEqual({
          kind: 'gradient',
          images: c.units.channels * c.steps,
          batch: c.units.channels,
          extraForward: c.units.channels,
        });
      }
    },
  );

  it('--quick does less work than the full run', () => {
    const work = (quick: boolean) => featureCases(quick).reduce((sum, c) => sum + c.size ** 2 * c.units.channels * c.steps, 0);
    expect(work(true)).toBeLessThan(work(false));
  });
});

describe("mnistCases (the browser page's MNIST method cases)", () => {
  const camChannels = 12;
  const batch = defaultBatch(28, 28, 1);
  const gradients = (images: number, perCall = images): BarePasses => ({ kind: 'gradient', images, batch: perCall });
  const forwards = (images: number, perCall = batch): BarePasses => ({ kind: 'forward', images, batch: perCall });
  const counted: CountedForwards = { kind: 'counted-forward' };
  /** The full run's cases: every method of core's registry, with the bare passes the Node suites give it. */
  const full: [string, BarePasses | CountedForwards][] = [
    ['saliency', gradients(1)],
    ['gradient-x-input', gradients(1)],
    ['integrated-gradients 32 steps', { ...gradients(32), extraForward: 2 }],
    ['smoothgrad 32 samples', gradients(32)],
    ['expected-gradients 32 samples', gradients(32)],
    ['blur-ig 32 steps', gradients(32)],
    ['guided-ig 32 steps', gradients(32, 1)],
    ['guided-backprop', gradients(1)],
    ['deconvnet', gradients(1)],
    ['guided-grad-cam', gradients(2, 1)],
    ['grad-cam', gradients(1)],
    ['grad-cam++', gradients(1)],
    ['xgrad-cam', gradients(1)],
    ['hires-cam', gradients(1)],
    ['layer-cam', gradients(1)],
    ['eigen-cam', forwards(1, 1)],
    ['score-cam', forwards(camChannels + 1)],
    ['ablation-cam', forwards(camChannels + 1)],
    ['occlusion 4x4 stride 2 (169 windows)', forwards(170)],
    ['rise 1000 masks', forwards(1001)],
    ['lime 500 samples', forwards(501)],
    ['kernel-shap 500 samples', forwards(501)],
    ['partition-shap maxEvals 500', forwards(501)],
    ['xrai (IG 32 steps x 2 baselines)', { ...gradients(64, 32), extraForward: 1 }],
    ['anchors (alibi defaults)', counted],
  ];

  it('the full run has every method, each with its bare passes', () => {
    expect(mnistCases(false, camChannels).map((c) => [c.name, c.bare])).toEqual(full);
  });

  it("covers core's method registry, one case per method, each named after its method", () => {
    const methods = mnistCases(false, camChannels).map((c) => c.options.method);
    expect([...methods].sort()).toEqual([...listMethods()].sort());
    mnistCases(false, camChannels).forEach((c) => expect(c.name).toContain(String(c.options.method)));
  });

  it('--quick keeps the same methods with fewer steps and samples', () => {
    const quick = mnistCases(true, camChannels);
    expect(quick.map((c) => c.options.method)).toEqual(mnistCases(false, camChannels).map((c) => c.options.method));
    const images = (cases: typeof quick) => cases.reduce((sum, c) => sum + (c.bare.kind === 'counted-forward' ? 0 : c.bare.images), 0);
    expect(images(quick)).toBeLessThan(images(mnistCases(false, camChannels)));
  });

  it('expected-gradients is the one case given a background of other images', () => {
    expect(
      mnistCases(false, camChannels)
        .filter((c) => c.background)
        .map((c) => [c.name, c.background]),
    ).toEqual([['expected-gradients 32 samples', 4]]);
  });

  it('--batch sets the batchSize of the methods that batch forward passes, and their bare batch', () => {
    const cases = mnistCases(false, camChannels, 8);
    const withBatch = cases.filter((c) => c.options.batchSize === 8).map((c) => c.options.method);
    expect(withBatch).toEqual(['score-cam', 'ablation-cam', 'occlusion', 'rise', 'lime', 'kernel-shap', 'partition-shap', 'anchors']);
    for (const c of cases) if (c.bare.kind === 'forward' && c.bare.images > 1) expect(c.bare.batch).toBe(8);
  });
});

describe('callSizes and countedBare (the bare side as the page runs it)', () => {
  it('cuts the images into calls of the batch, the last one ragged', () => {
    expect(callSizes({ kind: 'forward', images: 10, batch: 4 })).toEqual([4, 4, 2]);
    expect(callSizes({ kind: 'gradient', images: 3, batch: 1 })).toEqual([1, 1, 1]);
  });

  it("replays a counted case's calls in their order and sizes", () => {
    const bare = countedBare([64, 36, 64, 36, 100]);
    expect(bare).toEqual({ kind: 'forward', images: 300, batch: 100, batches: [64, 36, 64, 36, 100] });
    expect(callSizes(bare)).toEqual([64, 36, 64, 36, 100]);
  });

  it('a method that sent nothing through the model has no bare calls', () => {
    expect(callSizes(countedBare([]))).toEqual([]);
  });
});

describe("metricCases (the browser page's metrics rows)", () => {
  const batch = defaultBatch(28, 28, 1);
  it('has deletion + insertion, ROAD, infidelity, faithfulness correlation, max-sensitivity and cascading randomisation, with their bare passes', () => {
    expect(metricCases(false).map((c) => [c.name, c.bare])).toEqual([
      ['deletion + insertion 100 steps', expect.objectContaining({ kind: 'forward', images: 200, extraForward: 2 })],
      ['road', { kind: 'counted-forward' }],
      ['infidelity', { kind: 'counted-forward' }],
      ['faithfulness-correlation', { kind: 'counted-forward' }],
      // 10 IG re-explanations of 16 steps: a gradient call of 16 each, each IG's forward of input and
      // baseline, and the forward that resolves the target.
      ['max-sensitivity (IG 16 steps x 10 samples)', { kind: 'gradient', images: 160, batch: 16, extraForward: 21 }],
      // The original map and one per re-drawn layer of the MNIST CNN's 4: 5 IG explanations.
      ['cascading randomisation (IG 16 steps, 4 layers)', { kind: 'gradient', images: 80, batch: 16, extraForward: 5 }],
    ]);
    expect(metricCases(false).every((c) => c.batch === batch)).toBe(true);
  });

  it('--quick re-explains 4 times', () => {
    const last = metricCases(true).find((c) => c.name.startsWith('max-sensitivity'))!;
    expect(last.name).toBe('max-sensitivity (IG 16 steps x 4 samples)');
    expect(last.calls[0]!.options).toEqual({ explain: { method: 'integrated-gradients', steps: 16, batchSize: 16 }, samples: 4 });
  });
});
