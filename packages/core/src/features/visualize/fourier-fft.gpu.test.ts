// SPDX-License-Identifier: Apache-2.0
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { seededF32 } from '@webxai/testing';
import { flushTfjs, tfjsUsedBufferCount } from '../../interop/tfjs-webgpu.js';
import { disposeBasis, imageBasis, imageVjp, renderImage, toImage, variablesGradient, variableShape } from './parametrisation.js';
import {
  FFT_INTERLEAVED_SCRATCH_FLAG,
  FFT_WHOLE_SEQUENCES_FLAG,
  fftStageFusion,
  fuseFftStages,
  scratchLayoutOf,
  wholeSequenceFfts,
} from './fourier-fft.js';

describe('the FFT kernel path of the fourier parametrisation (webgpu)', () => {
  beforeAll(async () => {
    await tf.setBackend('webgpu');
  });

  it('runs two-stage FFTs as one dispatch except on SwiftShader: fft-whole on lavapipe (here), fft-pair on hardware', () => {
    const [swiftShader, lavapipe, nvidia] = [
      { vendor: 'google', architecture: 'swiftshader', description: '' },
      { vendor: 'mesa', architecture: '', description: 'llvmpipe (LLVM 15.0.6, 256 bits)' },
      { vendor: 'nvidia', architecture: 'ampere', description: '' },
    ];
    expect([swiftShader, lavapipe, nvidia, undefined].map(fuseFftStages)).toEqual([false, true, true, true]);
    expect([swiftShader, lavapipe, nvidia, undefined].map(wholeSequenceFfts)).toEqual([false, true, false, false]);
    const basis = imageBasis('fourier', 1, [8, 8, 3], { fft: true });
    expect(basis.fft?.fusion).toEqual({ fuseStages: true, fusedIn: 'invocation' });
    disposeBasis(basis);
  });

  it(`${FFT_WHOLE_SEQUENCES_FLAG} false gives fft-pair (fuseFftStages) for an A/B`, () => {
    const before = tf.env().getBool(FFT_WHOLE_SEQUENCES_FLAG);
    try {
      tf.env().set(FFT_WHOLE_SEQUENCES_FLAG, false);
      expect(fftStageFusion()).toEqual({ fuseStages: true, fusedIn: 'workgroup' });
    } finally {
      tf.env().set(FFT_WHOLE_SEQUENCES_FLAG, before);
    }
  });

  it(`holds the scratch interleaved under fft-whole with two-stage plans on both axes, unless ${FFT_INTERLEAVED_SCRATCH_FLAG} is false`, () => {
    const shape = (height: number, width: number) => ({ images: 1, channels: 3, height, width, factor: 1, mix: [] }) as const;
    const whole = { fuseStages: true, fusedIn: 'invocation' } as const;
    expect(scratchLayoutOf(shape(128, 128), whole)).toBe('interleaved');
    expect(scratchLayoutOf(shape(24, 20), whole)).toBe('interleaved');
    expect(scratchLayoutOf(shape(8, 128), whole)).toBe('planar'); // 8: one stage (fft-stage)
    expect(scratchLayoutOf(shape(128, 128), { fuseStages: true, fusedIn: 'workgroup' })).toBe('planar');
    expect(scratchLayoutOf(shape(128, 128), { fuseStages: false })).toBe('planar');
    const before = tf.env().getBool(FFT_INTERLEAVED_SCRATCH_FLAG);
    try {
      tf.env().set(FFT_INTERLEAVED_SCRATCH_FLAG, false);
      expect(scratchLayoutOf(shape(128, 128), whole)).toBe('planar');
    } finally {
      tf.env().set(FFT_INTERLEAVED_SCRATCH_FLAG, before);
    }
  });

  // [h, w, channels, FFT plan?]: odd and even sizes, one and three channels; 11 and 13 have no
  // plan (prime factors above 7), so those bases keep the table products on webgpu too.
  const cases = [
    [5, 7, 3, true],
    [6, 8, 1, true],
    [12, 10, 3, true],
    [7, 5, 1, true],
    [24, 24, 3, true],
    [11, 13, 3, false],
    [22, 12, 1, false],
  ] as const;
  for (const [h, w, c, planned] of cases) {
    it(`${h} x ${w} x ${c}: renderImage / variablesGradient equal the tfjs-op toImage / imageVjp (abs 1e-5 + rel 1e-4); no leaks`, async () => {
      const count = 2;
      const [tensors, buffers] = [tf.memory().numTensors, tfjsUsedBufferCount()];
      const fftBasis = imageBasis('fourier', count, [h, w, c], { fft: true });
      const tableBasis = imageBasis('fourier', count, [h, w, c]);
      expect(fftBasis.fft !== undefined).toBe(planned);
      expect(tableBasis.fft).toBeUndefined();
      const shape = variableShape('fourier', count, [h, w, c]);
      const variables = tf.tensor(
        seededF32(
          shape.reduce((a, b) => a * b),
          h * w + c,
        ),
        shape,
      );
      const gradient = tf.tensor4d(seededF32(count * h * w * c, h + w + c), [count, h, w, c]);
      const image = await renderImage(fftBasis, variables);
      const grad = await variablesGradient(fftBasis, image, gradient);
      const [wantImage, wantGrad] = tf.tidy(() => {
        const reference = toImage(tableBasis, variables);
        return [reference, imageVjp(tableBasis, reference, gradient)];
      });
      expect(image.shape).toEqual([count, h, w, c]);
      expect(grad.shape).toEqual(shape);
      // Both are f32 sums of the same terms in different orders (FFT stages against table products).
      expect(await image.data()).toBeAllClose(await wantImage.data(), { abs: 1e-5, rel: 1e-4 });
      expect(await grad.data()).toBeAllClose(await wantGrad.data(), { abs: 1e-5, rel: 1e-4 });
      tf.dispose([variables, gradient, image, grad, wantImage, wantGrad]);
      disposeBasis(fftBasis);
      disposeBasis(tableBasis);
      flushTfjs(); // buffers of disposed tensors return to tfjs's pool at its next submit
      expect(tf.memory().numTensors).toBe(tensors);
      expect(tfjsUsedBufferCount()).toBe(buffers);
    });
  }

  it('a basis made for the FFT kernels refuses the tfjs-op toImage with a message naming renderImage', () => {
    const basis = imageBasis('fourier', 1, [8, 8, 3], { fft: true });
    const variables = tf.zeros(variableShape('fourier', 1, [8, 8, 3]));
    expect(() => tf.tidy(() => toImage(basis, variables))).toThrow(/renderImage/);
    variables.dispose();
    disposeBasis(basis);
  });
});
