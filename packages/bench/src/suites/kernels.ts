// SPDX-License-Identifier: Apache-2.0
// The bandwidth yardstick and the memory-bound kernels of the explainers and metrics. Every case
// declares the bytes it must read and write, so the report can set its GB/s against the plain copy
// kernel's on the same device ("of copy" column): a kernel near 1.0 is as fast as the memory lets it.
import {
  copy,
  createBuffer,
  fftTwiddles,
  KernelBatch,
  recordFft,
  maskAccumulate,
  randomUniform,
  rankedMasks,
  releaseBuffer,
  runKernel,
  smoothGradAccumulate,
  uploadBuffer,
} from '@webxai/shaders';
import type { BenchSuite } from '../harness.js';
import { batchImages, batchLabel, IMAGE_VALUES } from './sizes.js';

/** Name of the yardstick case: report.ts divides every case's GB/s by this one's. */
export const COPY_CASE = 'copy kernel';

const PIXELS = 224 * 224;

export const kernelsSuite: BenchSuite = {
  name: 'kernels',
  description:
    'plain copy kernel (the GB/s yardstick), copyBufferToBuffer, and the explainers\u2019 memory-bound kernels (GB/s, fraction of copy)',
  async setup({ device, quick }) {
    const images = batchImages(quick);
    const count = images * IMAGE_VALUES;
    // RISE / occlusion accumulate and the deletion curve's masks: a batch of 224x224 masks (64 full, 16 quick).
    const maskCount = quick ? 16 : 64;
    const input = await randomUniform(device, { seed: 1, count, low: 0, high: 1 });
    const output = createBuffer(device, count * 4, 'bench.kernels.output');
    const masks = await randomUniform(device, { seed: 2, count: maskCount * PIXELS, low: 0, high: 1 });
    const weights = await randomUniform(device, { seed: 3, count: maskCount, low: -1, high: 1 });
    const acc = createBuffer(device, PIXELS * 4, 'bench.kernels.acc');
    const ranks = uploadBuffer(
      device,
      Uint32Array.from({ length: PIXELS }, (_, i) => (i * 7919) % PIXELS),
      'bench.kernels.ranks',
    );
    const moment = createBuffer(device, IMAGE_VALUES * 4, 'bench.kernels.moment');
    const fft = columnFftCase(device);
    const label = batchLabel(images);
    return {
      cases: [
        {
          name: COPY_CASE,
          elements: count,
          bytes: count * 8,
          run: () => runKernel(device, copy, { params: { count }, input, output }),
        },
        {
          name: `copyBufferToBuffer ${label}`,
          elements: count,
          bytes: count * 8,
          run: () => {
            const encoder = device.createCommandEncoder();
            encoder.copyBufferToBuffer(input, 0, output, 0, count * 4);
            device.queue.submit([encoder.finish()]);
          },
        },
        {
          // RISE / occlusion: acc[p] += sum_b w[b] m[b, p] reads every mask once, acc read + written.
          name: `mask-accumulate ${maskCount}x224x224`,
          elements: maskCount * PIXELS,
          bytes: (maskCount * PIXELS + 2 * PIXELS + maskCount) * 4,
          run: () => runKernel(device, maskAccumulate.keep, { params: { count: maskCount, pixels: PIXELS }, weights, masks, acc }),
        },
        {
          // Deletion curve: the masks of maskCount steps from one rank per pixel.
          name: `ranked-masks deletion ${maskCount}x224x224`,
          elements: maskCount * PIXELS,
          bytes: (maskCount * PIXELS + PIXELS) * 4,
          run: () =>
            runKernel(device, rankedMasks.deletion, {
              params: { count: maskCount, pixels: PIXELS, steps: maskCount, firstStep: 0 },
              ranks,
              masks,
            }),
        },
        {
          // SmoothGrad: `images` noisy samples' gradients folded into one running mean (points unread for 'identity').
          name: `smoothgrad-accumulate ${images} samples x 224x224x3`,
          elements: count,
          bytes: (count + 2 * IMAGE_VALUES) * 4,
          run: () =>
            runKernel(device, smoothGradAccumulate('identity', 'mean'), {
              params: { elementCount: IMAGE_VALUES, pointCount: images, firstPoint: 0, imageCount: 1, invSamples: 1 / images },
              points: input,
              gradients: output,
              moment1: moment,
              moment2: acc,
            }),
        },
        fft.case,
      ],
      dispose: () => {
        for (const buffer of [input, output, masks, weights, acc, ranks, moment, ...fft.buffers]) releaseBuffer(device, buffer);
      },
    };
  },
};

/**
 * visualizeFeature's column FFT on the bench's tiny CNN case: the half spectra of 4 images x 3
 * channels of 128 x 128 ([12, 128, 2 x 65]), 780 sequences of 128 points along the columns, one
 * fft-pair dispatch (a two-stage plan). Each complex value is read and written once: 16 bytes.
 * Near the copy kernel's GB/s, the pass costs its memory traffic, not its arithmetic.
 */
function columnFftCase(device: GPUDevice) {
  const [planes, n, half] = [12, 128, 65];
  const floats = planes * n * 2 * half;
  const sequences = { n, count: planes * half, inner: half, outerStride: n * 2 * half, elemStride: 2 * half, imOffset: half };
  const twiddles = uploadBuffer(device, fftTwiddles(n), 'bench.kernels.fft-twiddles');
  const src = uploadBuffer(
    device,
    Float32Array.from({ length: floats }, (_, i) => Math.sin(i)),
    'bench.kernels.fft-src',
  );
  const scratch = [
    createBuffer(device, floats * 4, 'bench.kernels.fft-a'),
    createBuffer(device, floats * 4, 'bench.kernels.fft-b'),
  ] as const;
  return {
    buffers: [twiddles, src, ...scratch],
    case: {
      name: `fft 128-point columns, ${planes} planes of 128x65 (visualizeFeature's column pass)`,
      elements: floats / 2,
      bytes: floats * 8,
      run: async () => {
        const batch = new KernelBatch(device, 'bench.kernels.fft');
        recordFft(batch, { sequences, sign: 1, twiddles, scale: twiddles, scaleAt: 'none', src, scratch });
        await batch.submit();
      },
    },
  };
}
