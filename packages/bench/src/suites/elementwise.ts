// SPDX-License-Identifier: Apache-2.0
import { affine, createBuffer, fill, releaseBuffer, runKernel } from '@webxai/shaders';
import type { BenchSuite } from '../harness.js';
import { batchImages, batchLabel, IMAGE_VALUES } from './sizes.js';

/** Throughput of the elementwise kernels (affine: read + write, fill: write) on a batch of images. */
export const elementwiseSuite: BenchSuite = {
  name: 'elementwise',
  description: 'affine and fill kernels over a batch of 224x224x3 f32 images (GB/s, elements/s)',
  setup({ device, quick }) {
    const images = batchImages(quick);
    const count = images * IMAGE_VALUES;
    const input = createBuffer(device, count * 4, 'bench.elementwise.input');
    const output = createBuffer(device, count * 4, 'bench.elementwise.output');
    return {
      cases: [
        {
          name: `affine ${batchLabel(images)}`,
          elements: count,
          bytes: count * 8,
          run: () => runKernel(device, affine, { params: { count, scale: 0.5, offset: 0.25 }, input, output }),
        },
        {
          name: `fill ${batchLabel(images)}`,
          elements: count,
          bytes: count * 4,
          run: () => runKernel(device, fill, { params: { count, value: 1 }, output }),
        },
      ],
      dispose: () => {
        releaseBuffer(device, input);
        releaseBuffer(device, output);
      },
    };
  },
};
