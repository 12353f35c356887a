// SPDX-License-Identifier: Apache-2.0
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { premixFits } from '@webxai/shaders';
import { seededF32 } from '@webxai/testing';
import { flushTfjs, tfjsDevice, tfjsUsedBufferCount } from '../../interop/tfjs-webgpu.js';
import { adaptModel } from '../../model/adapt.js';
import { adamStartKernel } from './adam.js';
import { fftVariableShape } from './fourier-fft.js';
import { gpuStep, PremixedSpectrum, StepMaps } from './gpu-step.js';
import type { PendingAscent } from './pending-ascent.js';
import { resolveObjective } from './objective.js';
import { disposeBasis, imageBasis, variableShape } from './parametrisation.js';
import { DEFAULT_TRANSFORMS, stepTransforms } from './transforms.js';

/** Counts the queue's submits (webxai's and tfjs's) until stop(), which returns the count. */
function countSubmits(): { stop: () => number } {
  const queue = tfjsDevice().queue;
  const submit = queue.submit.bind(queue);
  let count = 0;
  queue.submit = (buffers) => {
    count++;
    submit(buffers);
  };
  return {
    stop: () => {
      queue.submit = submit;
      return count;
    },
  };
}

const bits = async (t: tf.Tensor) => Array.from(new Uint32Array((await t.data()).buffer));

/** conv (4 channels, ReLU) over [size, size, 3], seeded weights. */
function convModel(size: number): tf.LayersModel {
  const model = tf.sequential({
    layers: [tf.layers.conv2d({ name: 'conv', inputShape: [size, size, 3], filters: 4, kernelSize: 3, activation: 'relu' })],
  });
  model.setWeights(model.getWeights().map((w, i) => tf.tensor(seededF32(w.size, 60 + i, -0.5, 0.5), w.shape)));
  return model;
}

describe('gpuStep with a PremixedSpectrum and merged submits (webgpu)', () => {
  beforeAll(async () => {
    await tf.setBackend('webgpu');
  });

  // 24: the model's size (the images go to it as they are); 20 -> 24: resized, planes of 20 x 22 floats.
  it.each([
    [24, 24],
    [20, 24],
  ])(
    'image %i, model %i: premixed and/or merged, the same variables, moments and objectives as the colour-mix load and a submit per batch, bit for bit, for 4 steps; one submit fewer per step merged; no leaks',
    async (size, input) => {
      const model = convModel(input);
      const objective = resolveObjective(adaptModel(model), { layer: 'conv', channels: [0, 3] }, [input, input, 3], undefined);
      const image = [size, size, 3] as const;
      const basis = imageBasis('fourier', 2, image, { fft: true });
      expect(basis.fft && premixFits(size, size, 3)).toBe(true);
      const shape = variableShape('fourier', 2, image);
      const start = tf.tensor(
        seededF32(
          shape.reduce((a, b) => a * b),
          size,
          -0.02,
          0.02,
        ),
        shape,
      );
      // merged: each step's ascent goes in with the next step's image kernels (as visualizeFeature
      // runs them); else submitted at once. Counts the queue's submits.
      const run = async (premixed: boolean, merged: boolean) => {
        let x = start.clone();
        let state = await adamStartKernel(x);
        const stepMaps = new StepMaps(2);
        const premix = premixed ? new PremixedSpectrum(fftVariableShape(basis.fft!)) : undefined;
        const values: number[][] = [];
        let ascent: PendingAscent | undefined;
        const submits = countSubmits();
        for (let step = 0; step < 4; step++) {
          const maps = stepTransforms(DEFAULT_TRANSFORMS, 5, step, 2, [size, size], [input, input]);
          const inputs = { basis, objective, maps, stepMaps, input: [input, input] as const, image, learningRate: 0.05 };
          const next = await gpuStep(x, state, premix ? { ...inputs, premix } : inputs, ascent);
          ascent = next.ascent;
          if (!merged) {
            await ascent.submit();
            ascent = undefined;
          }
          values.push(await bits(next.value));
          tf.dispose([x, next.value]);
          [x, state] = [next.x, next.state];
        }
        await ascent?.submit();
        const count = submits.stop();
        const out = { x: await bits(x), m: await bits(state.m), v: await bits(state.v), values };
        tf.dispose([x, state.m, state.v]);
        stepMaps.dispose();
        premix?.dispose();
        return { out, count };
      };
      await run(false, false); // uploads the model's, the basis' and the objective's tensors on first use, outside the counts
      const [tensors, buffers] = [tf.memory().numTensors, (flushTfjs(), tfjsUsedBufferCount())];
      const reference = await run(false, false);
      for (const [premixed, merged] of [
        [true, false],
        [false, true],
        [true, true],
      ] as const) {
        const result = await run(premixed, merged);
        expect(result.out).toEqual(reference.out);
        // 4 steps: 3 ascents ride along with the next step's image kernels.
        expect(result.count).toBe(reference.count - (merged ? 3 : 0));
      }
      expect(tf.memory().numTensors).toBe(tensors);
      expect((flushTfjs(), tfjsUsedBufferCount())).toBe(buffers);
      start.dispose();
      disposeBasis(basis);
      objective.dispose();
      model.dispose();
    },
  );
});
