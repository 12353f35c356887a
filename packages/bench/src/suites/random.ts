// SPDX-License-Identifier: Apache-2.0
import { createBuffer, randomBernoulli, randomNormal, randomUniform, releaseBuffer } from '@webxai/shaders';
import type { BenchSuite } from '../harness.js';
import { batchImages, batchLabel, IMAGE_VALUES } from './sizes.js';

/** Counter-based RNG (random-fill) writing a batch of noise images; bytes = the output written. */
export const randomSuite: BenchSuite = {
  name: 'random',
  description: 'random-fill uniform/normal/Bernoulli into a batch of 224x224x3 images (GB/s, values/s)',
  setup({ device, quick }) {
    const images = batchImages(quick);
    const count = images * IMAGE_VALUES;
    const output = createBuffer(device, count * 4, 'bench.random.output');
    let seed = 0; // a new stream each run: no caching can help
    const label = batchLabel(images);
    return {
      cases: [
        {
          name: `uniform ${label}`,
          elements: count,
          bytes: count * 4,
          run: async () => void (await randomUniform(device, { seed: seed++, count, output })),
        },
        {
          name: `normal ${label}`,
          elements: count,
          bytes: count * 4,
          run: async () => void (await randomNormal(device, { seed: seed++, count, output })),
        },
        {
          name: `bernoulli ${label}`,
          elements: count,
          bytes: count * 4,
          run: async () => void (await randomBernoulli(device, { seed: seed++, count, output, p: 0.5 })),
        },
      ],
      dispose: () => releaseBuffer(device, output),
    };
  },
};
