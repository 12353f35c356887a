// SPDX-License-Identifier: Apache-2.0
import { argReduceRows, createBuffer, randomUniform, reduceRows, releaseBuffer, type ReduceOp } from '@webxai/shaders';
import type { BenchSuite } from '../harness.js';
import { batchImages, batchLabel, IMAGE_VALUES } from './sizes.js';

/** reduceRows (all passes) per image of a batch; bytes = the input read once. */
export const reduceSuite: BenchSuite = {
  name: 'reduce',
  description: 'reduceRows sum/max/sumsq and argReduceRows argmax, one result per 224x224x3 image (input GB/s, elements/s)',
  async setup({ device, quick }) {
    const rows = batchImages(quick);
    const count = rows * IMAGE_VALUES;
    const input = await randomUniform(device, { seed: 1, count, low: -1, high: 1 });
    const output = createBuffer(device, rows * 4, 'bench.reduce.output');
    const ops: ReduceOp[] = ['sum', 'max', 'sumsq'];
    return {
      cases: [
        ...ops.map((op) => ({
          name: `${op} ${batchLabel(rows)}`,
          elements: count,
          bytes: count * 4,
          run: async () => {
            await reduceRows(device, { op, input, rows, rowLength: IMAGE_VALUES, output });
          },
        })),
        {
          name: `argmax ${batchLabel(rows)}`,
          elements: count,
          bytes: count * 4,
          run: async () => {
            await argReduceRows(device, { op: 'argmax', input, rows, rowLength: IMAGE_VALUES, output });
          },
        },
      ],
      dispose: () => {
        releaseBuffer(device, input);
        releaseBuffer(device, output);
      },
    };
  },
};
