// SPDX-License-Identifier: Apache-2.0
import { describe, expect } from 'vitest';
import { gpuTest, seededF32 } from '@webxai/testing';
import { KernelBatch, recordKernels } from '../runtime/batch.js';
import { ShapeMismatchError } from '../runtime/errors.js';
import { liveBufferCount, readFloat32, releaseBuffer, uploadBuffer } from '../runtime/buffers.js';
import { fftTwiddles, fourierScratchFloats, recordFft, recordFourierImage, type FourierImageShape } from '../fft/fft-plan.js';
import { FOURIER_PARITY_SHAPES, fourierParityShape, halfOf, scratchBuffer } from '../fft/fft-parity.js';
import { adamAscendPremix, premixFits, recordAdamPremixStep } from './adam-ascend-premix.kernel.js';
import { adamAscendPremixRef, premixOf } from './adam-ascend-premix.ref.js';

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

/** A 1/f-like scale [h, 2 W]: one positive factor per complex element, stored for its real and imaginary part. */
function scaleOf(h: number, w: number): Float32Array<ArrayBuffer> {
  const W = halfOf(w);
  const half = seededF32(h * W, h * 7 + w, 0.01, 3);
  const out = new Float32Array(h * 2 * W);
  for (let u = 0; u < h; u++) for (let v = 0; v < W; v++) out[u * 2 * W + v] = out[u * 2 * W + W + v] = half[u * W + v]!;
  return out;
}

/** The column FFTs' first reads: colour-mixed and scaled variables, or the premixed spectrum as it is. */
function recordColumns(batch: KernelBatch, shape: FourierImageShape, buffers: ReturnType<typeof fourierBuffers>, premixed: boolean) {
  const W = halfOf(shape.width);
  const planes = shape.images * shape.channels;
  return recordFft(batch, {
    sequences: { n: shape.height, count: planes * W, inner: W, outerStride: shape.height * 2 * W, elemStride: 2 * W, imOffset: W },
    sign: 1,
    twiddles: buffers.columnTwiddles,
    scale: buffers.scale,
    scaleAt: premixed ? 'none' : 'load',
    src: premixed ? buffers.premixed : buffers.xNext,
    scratch: buffers.scratch,
    dst: premixed ? buffers.columnsPremixed : buffers.columnsMixed,
    loadFrom: premixed ? 'sequences' : 'colour-mix',
    fourier: shape,
    fuseStages: buffers.fuseStages,
  });
}

function fourierBuffers(device: GPUDevice, shape: FourierImageShape, scale: Float32Array<ArrayBuffer>, fuseStages: boolean) {
  const count = shape.images * 3 * scale.length;
  const scratch = () => scratchBuffer(device, fourierScratchFloats(shape), 'scratch');
  return {
    rowTwiddles: uploadBuffer(device, fftTwiddles(shape.width), 'rowTwiddles'),
    columnTwiddles: uploadBuffer(device, fftTwiddles(shape.height), 'columnTwiddles'),
    scale: uploadBuffer(device, scale, 'scale'),
    scratch: [scratch(), scratch()] as const,
    fuseStages,
    xNext: scratchBuffer(device, count, 'xNext'),
    mNext: scratchBuffer(device, count, 'mNext'),
    vNext: scratchBuffer(device, count, 'vNext'),
    premixed: scratchBuffer(device, count, 'gradient / premixed'),
    columnsMixed: scratchBuffer(device, count, 'columnsMixed'),
    columnsPremixed: scratchBuffer(device, count, 'columnsPremixed'),
  };
}

describe('adam-ascend-premix (recordAdamPremixStep)', () => {
  const shapes = FOURIER_PARITY_SHAPES.filter(([, c, h, w]) => premixFits(h, w, c));
  for (const [images, , h, w] of shapes) {
    for (const fuseStages of [true, false]) {
      const name = `${images} x ${h} x ${w} x 3${fuseStages ? '' : ', stage by stage'}: Adam's f64 step, and the premixed spectrum feeds the column FFT bit for bit as the colour-mix load of x'`;
      gpuTest(name, async ({ device }) => {
        const shape = fourierParityShape(images, 3, h, w);
        const scale = scaleOf(h, w);
        const count = images * 3 * scale.length;
        const [x, gradient, m, v] = [
          seededF32(count, h + w, -1, 1),
          seededF32(count, h + w + 1, -2, 2),
          seededF32(count, h + w + 2, -0.5, 0.5),
          seededF32(count, h + w + 3, 0, 0.5),
        ];
        const step = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, rate: (0.05 * Math.sqrt(1 - 0.999 ** 3)) / (1 - 0.9 ** 3) };
        const buffers = fourierBuffers(device, shape, scale, fuseStages);
        const inputs = [x, m, v].map((a, i) => uploadBuffer(device, a, `in${i}`));
        device.queue.writeBuffer(buffers.premixed, 0, gradient);
        const pixels = images * h * w * 3;
        const [imageMixed, imagePremixed] = [0, 1].map((i) => scratchBuffer(device, pixels, `image${i}`)) as [GPUBuffer, GPUBuffer];
        await recordKernels(device, 'premix', (batch) => {
          recordAdamPremixStep(batch, {
            params: { count, ...step },
            shape,
            x: inputs[0]!,
            gradient: buffers.premixed,
            m: inputs[1]!,
            v: inputs[2]!,
            xNext: buffers.xNext,
            mNext: buffers.mNext,
            vNext: buffers.vNext,
            scale: buffers.scale,
          });
          recordColumns(batch, shape, buffers, false);
          recordColumns(batch, shape, buffers, true);
          recordFourierImage(batch, shape, buffers, buffers.xNext, imageMixed);
          recordFourierImage(batch, shape, buffers, buffers.premixed, imagePremixed, 'packed', 'premixed');
        });
        const read = (b: GPUBuffer, n = count) => readFloat32(device, b, n);
        const want = adamAscendPremixRef(x, gradient, m, v, step, scale, shape.mix);
        const tolerance = adamAscendPremix.tolerance;
        const xNext = await read(buffers.xNext);
        expect(xNext).toBeAllClose(want.x, tolerance);
        expect(await read(buffers.mNext)).toBeAllClose(want.m, tolerance);
        expect(await read(buffers.vNext)).toBeAllClose(want.v, tolerance);
        expect(await read(buffers.premixed)).toBeAllClose(premixOf(xNext, scale, shape.mix), tolerance);
        expect(bits(await read(buffers.columnsPremixed))).toEqual(bits(await read(buffers.columnsMixed)));
        expect(bits(await read(imagePremixed, pixels))).toEqual(bits(await read(imageMixed, pixels)));
        const {
          rowTwiddles,
          columnTwiddles,
          scale: s,
          scratch,
          xNext: a,
          mNext: b,
          vNext: c,
          premixed,
          columnsMixed,
          columnsPremixed,
        } = buffers;
        [
          rowTwiddles,
          columnTwiddles,
          s,
          ...scratch,
          a,
          b,
          c,
          premixed,
          columnsMixed,
          columnsPremixed,
          ...inputs,
          imageMixed,
          imagePremixed,
        ].forEach((buffer) => releaseBuffer(device, buffer));
        expect(liveBufferCount(device)).toBe(0);
      });
    }
  }

  gpuTest('planes without whole quads (5 x 5: 30 floats) or a count that is not the variables size: ShapeMismatchError', ({ device }) => {
    const buffer = scratchBuffer(device, 16, 'b');
    const args = { x: buffer, gradient: buffer, m: buffer, v: buffer, xNext: buffer, mNext: buffer, vNext: buffer, scale: buffer };
    const step = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, rate: 0.05 };
    const batch = new KernelBatch(device, 'premix-bad');
    const record = (height: number, width: number, count: number) => () =>
      recordAdamPremixStep(batch, { ...args, params: { count, ...step }, shape: { images: 1, height, width, factor: 1, mix: [1] } });
    expect(record(5, 5, 90)).toThrow(ShapeMismatchError);
    expect(record(6, 8, 179)).toThrow(/180 floats|60 floats/);
    expect(batch.kernelNames).toEqual([]);
    releaseBuffer(device, buffer);
  });
});
