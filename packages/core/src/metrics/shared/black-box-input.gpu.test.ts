// SPDX-License-Identifier: Apache-2.0
// The metrics that score perturbed copies of the input, with a black box (ONNX Runtime): evaluate
// reads the input back once and checks it on the host; the original scores and the images come
// from those values (MetricInputs.hostValues). Same scores as the same model in tfjs; two readbacks
// per call (the input, the attribution); no leaks.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { countReadbacks } from '@webxai/testing';
import { liveBufferCount } from '@webxai/shaders';
import { tfjsDevice, tfjsUsedBufferCount } from '../../interop/tfjs-webgpu.js';
import { fromOnnx } from '../../model/onnx/from-onnx.js';
import { useTinyCnnOnnxTwin } from '../../../test/tiny-cnn-onnx-twin.js';
import { evaluate } from '../evaluate.js';

const cases = [
  { metric: 'infidelity', samples: 6, seed: 3 },
  { metric: 'road', seed: 3, fractions: [0.1, 0.5, 0.9] },
  { metric: 'faithfulness-correlation', runs: 6, subsetSize: 20, seed: 3 },
] as const;

describe('perturbing metrics with a black box: one readback of the input', () => {
  const twin = useTinyCnnOnnxTwin();

  it.for(cases)('$metric: the tfjs model scores, 2 readbacks, no leaks', async (options) => {
    const onnx = fromOnnx(twin.session, { Tensor: ort.Tensor });
    const x = tf.randomUniform<tf.Rank.R4>([2, 16, 16, 3], 0, 1, 'float32', 5);
    const a = tf.randomNormal<tf.Rank.R4>([2, 16, 16, 3], 0, 1, 'float32', 6);
    const all = { ...options, batchSize: 4 } as never;
    const reference = await evaluate(twin.model, x, a, all);
    // Fresh tensors on the GPU each call (tfjs keeps the values of a tensor it has read back).
    const run = async () => {
      const [freshX, freshA] = [tf.add(x, 0), tf.add(a, 0)];
      const counted = await countReadbacks(() => evaluate(onnx, freshX, freshA, all));
      tf.dispose([freshX, freshA]);
      return counted;
    };
    await run(); // warm-up: pooled buffers
    const device = tfjsDevice();
    const before = [tf.memory().numTensors, tfjsUsedBufferCount(), liveBufferCount(device)];
    const { result, readbacks } = await run();
    expect(readbacks).toBe(2);
    expect(result.target).toEqual(reference.target);
    expect(result.scores).toBeAllClose(reference.scores, { abs: 1e-4, rel: 1e-3 });
    expect([tf.memory().numTensors, tfjsUsedBufferCount(), liveBufferCount(device)]).toEqual(before);
    tf.dispose([x, a]);
  });
});
