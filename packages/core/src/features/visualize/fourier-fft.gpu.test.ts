// SPDX-License-Identifier: Apache-2.0
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { seededF32 } from '@webxai/testing';
import { flushTfjs, tfjsUsedBufferCount } from '../../interop/tfjs-webgpu.js';
import { disposeBasis, imageBasis, imageVjp, renderImage, toImage, variablesGradient, variableShape } from './parametrisation.js';
import { fuseFftStages } from './fourier-fft.js';

describe('the FFT kernel path of the fourier parametrisation (webgpu)', () => {
  beforeAll(async () => {
    await tf.setBackend('webgpu');
  });

  it('runs two-stage FFTs as one fft-pair dispatch except on SwiftShader (lavapipe here: fused)', () => {
    expect(fuseFftStages({ vendor: 'google', architecture: 'swiftshader', description: '' })).toBe(false);
    expect(fuseFftStages({ vendor: 'mesa', architecture: '', description: 'llvmpipe (LLVM 15.0.6, 256 bits)' })).toBe(true);
    expect(fuseFftStages({ vendor: 'nvidia', architecture: 'ampere', description: '' })).toBe(true);
    expect(fuseFftStages(undefined)).toBe(true);
    const basis = imageBasis('fourier', 1, [8, 8, 3], { fft: true });
    expect(basis.fft?.fuseStages).toBe(true);
    disposeBasis(basis);
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
