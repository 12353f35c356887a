// SPDX-License-Identifier: Apache-2.0
import { createBuffer, fill, kernelValidationEnabled, readFloat32, releaseBuffer, runKernel, setKernelValidation } from '@webxai/shaders';
import type { BenchSuite } from '../harness.js';

const BURST = 100;

/**
 * Fixed costs that sit next to every compute time: an empty submit's round trip, one tiny
 * dispatch through runKernel (uniform upload, bind group, submit), with and without the validation
 * scope, a burst of dispatches awaited once (ms/op = amortised cost per dispatch), and a 4-byte
 * readback (mapAsync round trip).
 */
export const dispatchSuite: BenchSuite = {
  name: 'dispatch',
  description: 'per-dispatch overhead: empty submit, tiny kernel (validation off/on), burst of 100, 4-byte readback',
  setup({ device }) {
    const output = createBuffer(device, 16, 'bench.dispatch.output');
    const tiny = () => runKernel(device, fill, { params: { count: 1, value: 1 }, output });
    return {
      cases: [
        { name: 'empty submit', operations: 1, run: () => device.queue.submit([device.createCommandEncoder().finish()]) },
        { name: 'tiny kernel', operations: 1, run: tiny },
        {
          name: 'tiny kernel, validation scope',
          operations: 1,
          run: async () => {
            const before = kernelValidationEnabled();
            setKernelValidation(true);
            try {
              await tiny();
            } finally {
              setKernelValidation(before);
            }
          },
        },
        {
          name: `${BURST} tiny kernels, one wait`,
          operations: BURST,
          run: async () => {
            for (let i = 0; i < BURST; i++) await tiny();
          },
        },
        { name: 'readback 4 bytes', operations: 1, run: async () => void (await readFloat32(device, output, 1)) },
      ],
      dispose: () => releaseBuffer(device, output),
    };
  },
};
