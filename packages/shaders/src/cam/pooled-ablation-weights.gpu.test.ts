// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { gpuTest, seededF32, seededInts } from '@webxai/testing';
import { runKernel } from '../runtime/kernel.js';
import { createBuffer, liveBufferCount, readFloat32, releaseBuffer, uploadBuffer } from '../runtime/buffers.js';
import { pooledAblationWeights, pooledAblationWeightsFor } from './pooled-ablation-weights.kernel.js';
import { pooledAblationWeightsRef, type PooledAblationShape } from './pooled-ablation-weights.ref.js';

interface Inputs {
  readonly act: Float32Array<ArrayBuffer>;
  readonly kernel: Float32Array<ArrayBuffer>;
  readonly bias: Float32Array<ArrayBuffer> | undefined;
  readonly scores: Float32Array<ArrayBuffer>;
  readonly targets: Int32Array<ArrayBuffer>;
}

async function runPooledAblation(device: GPUDevice, inputs: Inputs, shape: PooledAblationShape): Promise<Float32Array> {
  const upload = (data: Float32Array<ArrayBuffer> | Int32Array<ArrayBuffer>, label: string) => uploadBuffer(device, data, label);
  const [act, kernel, scores, targets] = [
    upload(inputs.act, 'act'),
    upload(inputs.kernel, 'kernel'),
    upload(inputs.scores, 'scores'),
    upload(inputs.targets, 'targets'),
  ];
  const bias = inputs.bias ? upload(inputs.bias, 'bias') : undefined;
  const weights = createBuffer(device, shape.images * shape.channels * 4, 'weights');
  await runKernel(device, pooledAblationWeightsFor(bias !== undefined), {
    params: shape,
    act,
    kernel,
    bias: bias ?? kernel,
    scores,
    targets,
    weights,
  });
  const values = await readFloat32(device, weights, shape.images * shape.channels);
  [act, kernel, scores, targets, weights, ...(bias ? [bias] : [])].forEach((b) => releaseBuffer(device, b));
  return values;
}

/** Seeded inputs whose scores are the tail's own (f64) scores plus an offset, so none is near 0. */
function seededInputs(shape: PooledAblationShape, withBias: boolean, actLow: number, seed: number): Inputs {
  const { images, positions, channels, classes } = shape;
  // ReLU-like activations (actLow 0) hold exact zeros, so the image minimum is 0.
  const act = seededF32(images * positions * channels, seed, actLow, 1).map((a, i) => (actLow === 0 && i % 7 === 0 ? 0 : a));
  const kernel = seededF32(channels * classes, seed + 1, -0.5, 0.5);
  const bias = withBias ? seededF32(classes, seed + 2, -1, 1) : undefined;
  const scores = seededF32(images * classes, seed + 3, 2, 4);
  return { act, kernel, bias, scores, targets: seededInts(images, seed + 4, 0, classes) };
}

const CASES = [
  { images: 1, positions: 1, channels: 1, classes: 1, bias: false, actLow: 0, why: 'one element' },
  { images: 1, positions: 49, channels: 64, classes: 10, bias: true, actLow: 0, why: 'the MNIST CNN at 28x28 (ReLU: ablated to 0)' },
  {
    images: 3,
    positions: 9,
    channels: 67,
    classes: 5,
    bias: false,
    actLow: -1,
    why: 'ragged channels, 3 images, negative minimum (min - 1e7)',
  },
  { images: 2, positions: 49, channels: 1280, classes: 100, bias: true, actLow: 0, why: "MobileNetV2's out_relu" },
];

describe('pooled-ablation-weights', () => {
  gpuTest.for(CASES)('matches pooledAblationWeightsRef: $why', async ({ why: _, bias, actLow, ...shape }, { device }) => {
    const inputs = seededInputs(shape, bias, actLow, shape.channels);
    const got = await runPooledAblation(device, inputs, shape);
    const want = pooledAblationWeightsRef(inputs.act, inputs.kernel, inputs.bias, inputs.scores, inputs.targets, shape);
    expect(got).toBeAllClose(want, pooledAblationWeights.tolerance);
    expect(liveBufferCount(device)).toBe(0);
  });

  gpuTest('gives the hand-computed relative score drops', async ({ device }) => {
    // One image, 2 positions, 2 channels, 2 classes, target 1. p = [1, 3]; minimum 0 -> ablate to 0.
    // z = 1 * 2 + 3 * -1 + bias 0.5 = -0.5; score 4. ablated0 = z - 1 * 2 = -2.5, ablated1 = z - 3 * -1 = 2.5.
    const shape = { images: 1, positions: 2, channels: 2, classes: 2 };
    const inputs = {
      act: Float32Array.from([0, 2, 2, 4]),
      kernel: Float32Array.from([9, 2, 9, -1]),
      bias: Float32Array.from([9, 0.5]),
      scores: Float32Array.from([9, 4]),
      targets: Int32Array.from([1]),
    };
    expect(Array.from(await runPooledAblation(device, inputs, shape))).toEqual([(4 + 2.5) / 4, (4 - 2.5) / 4]);
  });
});

describe('pooledAblationWeightsRef', () => {
  it('ablates to the minimum - 1e7 when the minimum is not 0', () => {
    const shape = { images: 1, positions: 1, channels: 2, classes: 1 };
    // p = [-1, 1], z = -1 * 1 + 1 * 1 = 0; v = -1e7 - 1; ablated0 = 0 + (v + 1) * 1 = -1e7.
    const got = pooledAblationWeightsRef([-1, 1], [1, 1], undefined, [2], [0], shape);
    expect(got[0]).toBeCloseTo((2 + 1e7) / 2, 0);
  });
});
