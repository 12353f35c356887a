// SPDX-License-Identifier: Apache-2.0
// Issue 12: gradient methods on max-pool CNNs give the same map on webgpu as on cpu (and so as
// PyTorch/Captum, which the cpu path matches). Ties in pooling windows (flat backgrounds, ReLU
// zeros, IG's black baseline) made tfjs-webgpu's own MaxPoolGrad (last maximum) differ by up to
// 40-80 % of the map's largest value before webxai's first-max kernel (docs/decisions/0005).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { loadMnistCnn, mnistSamples } from '@webxai/models';
import { flatRegionImage, maxPoolCnn } from '@webxai/testing/models';
import { explain } from '../api/explain.js';
import type { ExplainOptions } from '../api/types.js';
import { INTEGRATION_RULES } from './integrated-gradients/rules.js';

const METHODS: ExplainOptions[] = [
  { method: 'saliency' },
  { method: 'saliency', abs: false },
  { method: 'gradient-x-input' },
  ...INTEGRATION_RULES.map((rule): ExplainOptions => ({ method: 'integrated-gradients', rule, steps: 8, baseline: 'zeros' })),
];
const label = (o: ExplainOptions) => ('rule' in o ? `${o.method} ${o.rule}` : `${o.method}${'abs' in o ? ' signed' : ''}`);

interface Run {
  readonly map: Float32Array;
  readonly delta?: number[];
}

/** Every method's map on `backend`, for one model (created on cpu, moved to webgpu by tfjs). */
async function runAll(
  backend: 'cpu' | 'webgpu',
  model: tf.LayersModel,
  image: Float32Array,
  shape: number[],
  target: number,
): Promise<Run[]> {
  await tf.setBackend(backend);
  const runs: Run[] = [];
  for (const options of METHODS) {
    const x = tf.tensor4d(image, shape as [number, number, number, number]);
    const r = await explain(model, x, { ...options, target });
    runs.push({ map: (await r.attribution.data()) as Float32Array, ...('delta' in r ? { delta: r.delta as number[] } : {}) });
    tf.dispose([x, r.attribution]);
  }
  return runs;
}

function maxAbs(values: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) m = Math.max(m, Math.abs(values[i]!));
  return m;
}

describe('gradient methods on max-pool CNNs: webgpu = cpu (issue 12)', () => {
  const cases: { name: string; model: () => Promise<tf.LayersModel>; image: () => tf.Tensor4D; target: number }[] = [
    {
      name: 'MNIST digit (shipped CNN)',
      model: loadMnistCnn,
      image: () =>
        tf.tidy(() => {
          const s = mnistSamples();
          const one = s.images.slice(0, 1);
          s.images.dispose();
          return one;
        }),
      target: -1,
    },
    { name: 'colour image (in-code CNN)', model: () => Promise.resolve(maxPoolCnn()), image: () => flatRegionImage(), target: 2 },
  ];
  const results = new Map<string, { cpu: Run[]; gpu: Run[] }>();

  beforeAll(async () => {
    for (const c of cases) {
      await tf.setBackend('cpu');
      const model = await c.model();
      const image = c.image();
      const values = (await image.data()) as Float32Array;
      const target = c.target >= 0 ? c.target : (await tf.tidy(() => tf.argMax(model.predict(image) as tf.Tensor, 1)).data())[0]!;
      const cpu = await runAll('cpu', model, values, image.shape, target);
      const gpu = await runAll('webgpu', model, values, image.shape, target);
      results.set(c.name, { cpu, gpu });
      await tf.setBackend('cpu');
      image.dispose();
      model.dispose();
    }
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  for (const c of cases) {
    it.for(METHODS.map((o, i) => ({ i, name: label(o) })))(`${c.name}: $name agrees to 1e-5 of the map's largest value`, ({ i }) => {
      const { cpu, gpu } = results.get(c.name)!;
      const scale = maxAbs(cpu[i]!.map);
      expect(scale).toBeGreaterThan(0);
      expect(gpu[i]!.map).toBeAllClose(cpu[i]!.map, { abs: 1e-5 * scale, rel: 0 });
      if (cpu[i]!.delta) expect(gpu[i]!.delta!).toBeAllClose(cpu[i]!.delta, { abs: 1e-4, rel: 0 });
    });
  }
});
