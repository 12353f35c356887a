// SPDX-License-Identifier: Apache-2.0
import { beforeEach, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { linearModel } from '@webxai/testing/models';
import { createExplainerFor } from '../../api/explainer.js';
import { tfjsDevice } from '../../interop/tfjs-webgpu.js';
import { occlusion } from '../occlusion/occlusion.js';
import { rise } from '../rise/rise.js';

/** Labels of the command encoders created while `run` runs (tfjs's included). */
async function encoderLabels(run: () => Promise<void>): Promise<string[]> {
  const device = tfjsDevice();
  const original = device.createCommandEncoder.bind(device);
  const labels: string[] = [];
  device.createCommandEncoder = (descriptor?: GPUCommandEncoderDescriptor) => {
    labels.push(descriptor?.label ?? '');
    return original(descriptor);
  };
  try {
    await run();
  } finally {
    device.createCommandEncoder = original;
  }
  return labels;
}

describe('GpuMaskBatches', () => {
  const [H, W, C] = [12, 9, 3];
  beforeEach(() => tf.setBackend('webgpu'));

  it.for([
    // 40 masks: batches of 16, 16, 8; the sums read back once at the end.
    ['rise', rise, { method: 'rise', masks: 40, cellSize: 4, seed: 3 }, 3, ['rise.acc.readback']],
    // 5 x 4 = 20 windows: batches of 16, 4; the drops' and the counts' sums read back at the end.
    ['occlusion', occlusion, { method: 'occlusion', window: 3, stride: 2 }, 2, ['occlusion.acc.readback', 'occlusion.counts.readback']],
  ] as const)(
    'sends each batch of %s to the GPU in two submits: the write and the sums',
    async ([name, method, options, batches, reads]) => {
      const { model } = linearModel({ height: H, width: W, channels: C, classes: 2, seed: 8 });
      const x = tf.randomUniform([H, W, C], 0, 1, 'float32', 5);
      const explainer = createExplainerFor(method as never, model, { ...options, target: 1, batchSize: 16 } as never);
      const labels = await encoderLabels(async () => {
        const r = (await explainer.explain(x)) as { attribution: tf.Tensor; path: string };
        expect(r.path).toBe('gpu');
        r.attribution.dispose();
      });
      // webxai's encoders are labelled (a kernel's name, a kernel batch's label, a readback); tfjs's are not.
      // The model's dense layer runs webxai's direct-matmul kernel on software adapters, recorded into
      // tfjs's own (unlabelled) encoder: it adds no encoder of its own.
      const perBatch = [`${name}.write`, `${name}.accumulate`];
      expect(labels.filter((label) => label !== '')).toEqual([...Array.from({ length: batches }, () => perBatch).flat(), ...reads]);
    },
  );
});
