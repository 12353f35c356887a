// SPDX-License-Identifier: Apache-2.0
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { directConv2d } from '@webxai/shaders';
import { countSubmits, seededF32 } from '@webxai/testing';
import { disposeWeights, tinyCnn, tinyCnnWeights } from '@webxai/testing/models';
import {
  DIRECT_CONV_FLAG,
  directConvKernel,
  directConvPlan,
  installDirectConv,
  slideDirectConvolutions,
  uninstallDirectConv,
} from './direct-conv-kernels.js';
import { activeAdapterIsSoftware, configureTfjs, type AdapterDescription } from './tfjs-setup.js';
import { flushTfjs, tfjsUsedBufferCount } from './tfjs-webgpu.js';
import { spyOnKernelDispatches, type KernelDispatchSpy } from '../../test/kernel-wrapper-hooks.js';
import { size, valuesOn, type ConvCase } from '../../test/conv-cases.js';

const CASES: readonly ConvCase[] = [
  { name: 'MNIST first layer, same', x: [2, 28, 28, 1], w: [5, 5, 1, 32], strides: [1, 1], pad: 'same' },
  { name: 'stride 2, odd channels, same', x: [2, 9, 7, 3], w: [3, 3, 3, 5], strides: [2, 2], pad: 'same' },
  { name: 'valid, mixed strides', x: [1, 8, 10, 6], w: [2, 3, 6, 7], strides: [1, 2], pad: 'valid' },
  {
    name: 'explicit pads',
    x: [1, 6, 5, 2],
    w: [3, 3, 2, 3],
    strides: [1, 1],
    pad: [
      [0, 0],
      [1, 0],
      [2, 1],
      [0, 0],
    ],
  },
];
const TOLERANCE = directConv2d.tolerance;

/** Dispatches of webxai's kernel under test (counted by their bind groups' labels). */
let dispatches: KernelDispatchSpy;

const conv = (c: ConvCase) => (x: tf.Tensor4D, w: tf.Tensor4D) => tf.conv2d(x, w, c.strides, c.pad);
const inputGradient = (c: ConvCase) => (x: tf.Tensor4D, w: tf.Tensor4D) =>
  tf.grad((xs: tf.Tensor) => {
    const y = tf.conv2d(xs as tf.Tensor4D, w, c.strides, c.pad);
    return tf.sum(tf.mul(y, tf.sin(y)));
  })(x);

/**
 * Runs `run` with the webgpu backend's adapter reading as SwiftShader, the adapter webxai runs the
 * slide kernels on (slideDirectConvolutions): Node's lavapipe keeps the 8 x 8 and narrow kernels.
 */
async function asSwiftShader<T>(run: () => Promise<T>): Promise<T> {
  const info = (tf.findBackend('webgpu') as unknown as { adapterInfo: { architecture: string } }).adapterInfo;
  const architecture = info.architecture;
  info.architecture = 'swiftshader';
  try {
    return await run();
  } finally {
    info.architecture = architecture;
  }
}

describe('direct convolution for tfjs-webgpu (Dawn + lavapipe)', () => {
  let before: { tensors: number; buffers: number };
  beforeAll(async () => {
    expect(await tf.setBackend('webgpu')).toBe(true);
    dispatches = spyOnKernelDispatches('direct-conv2d');
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    installDirectConv(activeAdapterIsSoftware);
    tf.env().set(DIRECT_CONV_FLAG, activeAdapterIsSoftware());
    await tf.setBackend('cpu');
  });
  beforeEach(async () => {
    installDirectConv(activeAdapterIsSoftware);
    await tf.setBackend('webgpu');
    tf.env().set(DIRECT_CONV_FLAG, true);
    dispatches.count = 0;
    flushTfjs(); // buffers of recorded work go back at tfjs's next submit (see checkWebgpuLeaksPerTest)
    before = { tensors: tf.memory().numTensors, buffers: tfjsUsedBufferCount() };
  });
  afterEach(async () => {
    await tf.setBackend('webgpu');
    flushTfjs();
    expect({ tensors: tf.memory().numTensors, buffers: tfjsUsedBufferCount() }).toEqual(before);
  });

  it('configureTfjs turns it on by default on a software adapter (lavapipe here)', async () => {
    tf.env().reset(); // forget every value set so far; configureTfjs sets its own again
    configureTfjs();
    expect(tf.env().getBool(DIRECT_CONV_FLAG)).toBe(true);
    await valuesOn('webgpu', CASES[0]!, conv(CASES[0]!));
    expect(dispatches.count).toBe(1);
  });

  it("records into tfjs's own compute pass: a conv chain adds no submit, and reads back right", async () => {
    const c: ConvCase = { name: 'chain', x: [1, 8, 8, 4], w: [3, 3, 4, 4], strides: [1, 1], pad: 'same' };
    const x = tf.tensor4d(seededF32(size(c.x), 1), c.x);
    const w = tf.tensor4d(seededF32(size(c.w), 2), c.w);
    flushTfjs(); // the uploads' copies go out first
    // Two convs in a row: the second reads the first's output inside the same pass, before any submit.
    const chain = (a: tf.Tensor4D, b: tf.Tensor4D) => tf.tidy(() => tf.relu(conv(c)(tf.relu<tf.Tensor4D>(conv(c)(a, b)), b)));
    const { result: y, submits } = await countSubmits(() => Promise.resolve(chain(x, w)));
    expect([submits, dispatches.count]).toEqual([0, 2]);
    const gpu = (await y.data()) as Float32Array;
    tf.dispose([x, w, y]);
    const cpu = await valuesOn('cpu', c, chain);
    expect(gpu).toBeAllClose(cpu, { abs: 1e-4, rel: 1e-4 });
    await tf.setBackend('webgpu');
  });

  it.for(CASES)('conv2d $name: direct kernel = tfjs cpu', async (c) => {
    const gpu = await valuesOn('webgpu', c, conv(c));
    expect(dispatches.count).toBe(1);
    expect(gpu).toBeAllClose(await valuesOn('cpu', c, conv(c)), TOLERANCE);
  });

  it.for(CASES)('input gradient $name (Conv2D + Conv2DBackpropInput under tf.grad) = tfjs cpu', async (c) => {
    const gpu = await valuesOn('webgpu', c, inputGradient(c));
    expect(dispatches.count).toBe(2); // Conv2D, then Conv2DBackpropInput
    expect(gpu).toBeAllClose(await valuesOn('cpu', c, inputGradient(c)), { abs: 1e-4, rel: 1e-4 });
  });

  it.for(CASES)('with the slide kernels (SwiftShader), conv2d and its input gradient $name = tfjs cpu', async (c) => {
    const gpu = await asSwiftShader(async () => [await valuesOn('webgpu', c, conv(c)), await valuesOn('webgpu', c, inputGradient(c))]);
    expect(dispatches.count).toBe(3);
    expect(gpu[0]).toBeAllClose(await valuesOn('cpu', c, conv(c)), TOLERANCE);
    expect(gpu[1]).toBeAllClose(await valuesOn('cpu', c, inputGradient(c)), { abs: 1e-4, rel: 1e-4 });
  });

  it.for(['relu', 'relu6', 'linear'] as const)('fused bias + %s = tfjs cpu', async (activation) => {
    const c = CASES[1]!;
    const fused = (x: tf.Tensor4D, w: tf.Tensor4D) =>
      tf.tidy(() =>
        tf.fused.conv2d({
          x: tf.mul<tf.Tensor4D>(x, 4),
          filter: w,
          strides: c.strides,
          pad: c.pad,
          bias: tf.linspace(-2, 2, 5),
          activation,
        }),
      );
    const gpu = await valuesOn('webgpu', c, fused);
    expect(dispatches.count).toBe(1);
    expect(gpu).toBeAllClose(await valuesOn('cpu', c, fused), TOLERANCE);
    if (activation !== 'linear') expect(gpu.some((v) => v === 0)).toBe(true);
    if (activation === 'relu6') expect(gpu.some((v) => v === 6)).toBe(true);
  });

  it('a small CNN: predictions and input gradients = tfjs cpu', async () => {
    await tf.setBackend('cpu'); // weights made on cpu first: tfjs moves cpu -> webgpu, not back, in Node
    const weights = tinyCnnWeights({ height: 12, width: 12, channels: 3, filters: 6 });
    const model = tinyCnn('sequential', weights);
    const c: ConvCase = { name: 'tiny CNN', x: [3, 12, 12, 3], w: [1, 1, 1, 1], strides: [1, 1], pad: 'same' };
    const predict = (x: tf.Tensor4D) => model.predict(x) as tf.Tensor;
    const gradient = (x: tf.Tensor4D) =>
      tf.grad((xs: tf.Tensor) => tf.sum(tf.mul(predict(xs as tf.Tensor4D), tf.tensor1d([1, -2, 3, 0.5]))))(x);
    const cpu = [await valuesOn('cpu', c, predict), await valuesOn('cpu', c, gradient)];
    const onGpu = async () => [await valuesOn('webgpu', c, predict), await valuesOn('webgpu', c, gradient)];
    // The 8 x 8 and narrow kernels (lavapipe's), then the slide kernels (SwiftShader's).
    for (const gpu of [await onGpu(), await asSwiftShader(onGpu)]) {
      expect(gpu[0]).toBeAllClose(cpu[0]!, TOLERANCE);
      expect(gpu[1]).toBeAllClose(cpu[1]!, { abs: 1e-5, rel: 1e-4 });
    }
    // predict: 2 FusedConv2D; under tf.grad tfjs unfuses them (2 Conv2D) and takes 2 Conv2DBackpropInput.
    expect(dispatches.count).toBe(12);
    model.dispose();
    disposeWeights(weights);
  });

  it("flag off: tfjs's own kernels, same values", async () => {
    const c = CASES[1]!;
    const direct = await valuesOn('webgpu', c, inputGradient(c));
    expect(dispatches.count).toBe(2);
    tf.env().set(DIRECT_CONV_FLAG, false);
    const tfjsOwn = await valuesOn('webgpu', c, inputGradient(c));
    expect(dispatches.count).toBe(2);
    expect(direct).toBeAllClose(tfjsOwn, { abs: 1e-4, rel: 1e-4 });
  });

  it("calls tfjs's kernel for what the direct kernels do not cover, with the right values", async () => {
    const c = CASES[1]!;
    const dilated = (x: tf.Tensor4D, w: tf.Tensor4D) => tf.conv2d(x, w, 1, 'same', 'NHWC', 2);
    const leaky = (x: tf.Tensor4D, w: tf.Tensor4D) =>
      tf.tidy(() => tf.fused.conv2d({ x, filter: w, strides: 1, pad: 'same', activation: 'leakyrelu', leakyreluAlpha: 0.3 }));
    for (const work of [dilated, leaky]) {
      const gpu = await valuesOn('webgpu', c, work);
      expect(gpu).toBeAllClose(await valuesOn('cpu', c, work), TOLERANCE);
    }
    expect(dispatches.count).toBe(0);
  });

  it('a dispatch that throws passes the error on and gives the output buffer back (no leak)', () => {
    const [x, w] = [tf.ones<tf.Rank.R4>([1, 4, 4, 2]), tf.ones<tf.Rank.R4>([3, 3, 2, 3])];
    dispatches.failNext = true;
    expect(() => tf.conv2d(x, w, 1, 'same')).toThrow('injected dispatch failure');
    expect(dispatches.count).toBe(1);
    tf.dispose([x, w]); // afterEach: tensors and pool buffers back to where they were
  });

  it('uninstall restores the original kernels', async () => {
    uninstallDirectConv();
    await valuesOn('webgpu', CASES[0]!, conv(CASES[0]!));
    expect(dispatches.count).toBe(0);
  });
});

describe('directConvPlan: what the direct kernels cover', () => {
  const info = (shape: number[], dtype: tf.DataType = 'float32'): tf.TensorInfo => ({ dataId: {}, shape, dtype });
  const x = info([1, 8, 8, 3]);
  const filter = info([3, 3, 3, 4]);
  const attrs = { strides: 1, pad: 'same', dataFormat: 'NHWC', dilations: 1, activation: 'relu' };

  it('covers NHWC, dilation 1, float32 with a per-channel bias and linear / relu / relu6', () => {
    expect(directConvPlan('FusedConv2D', { x, filter, bias: info([4]) }, attrs)).toMatchObject({
      kind: 'forward',
      activation: 'relu',
      geometry: { outHeight: 8, outWidth: 8, outChannels: 4, padTop: 1, padLeft: 1 },
    });
    expect(directConvPlan('Conv2D', { x, filter }, { ...attrs, activation: undefined })?.activation).toBe('linear');
    const dy = info([1, 4, 4, 4]);
    expect(directConvPlan('Conv2DBackpropInput', { dy, filter }, { ...attrs, strides: 2, inputShape: [1, 8, 8, 3] })).toMatchObject({
      kind: 'backprop-input',
      geometry: { inHeight: 8, outHeight: 4, strideHeight: 2 },
    });
  });

  it('directConvKernel: on SwiftShader the plane / band kernels for small / narrow result planes, the slide kernels where they apply (column stride 1, filters up to 5 wide), else the 8 x 8 or narrow ones', () => {
    const swiftShader: AdapterDescription = { vendor: 'google', architecture: 'swiftshader' };
    const lavapipe: AdapterDescription = { vendor: 'mesa', description: 'llvmpipe (LLVM 15.0.6, 256 bits)' };
    expect([swiftShader, lavapipe, { vendor: 'nvidia' }, undefined].map(slideDirectConvolutions)).toEqual([true, false, false, false]);
    const wide = info([1, 40, 40, 3]); // 40 columns: wider than a band
    const forward = directConvPlan('FusedConv2D', { x: wide, filter, bias: info([4]) }, attrs)!;
    const strided = directConvPlan('FusedConv2D', { x: wide, filter, bias: info([4]) }, { ...attrs, strides: [1, 2] })!;
    const banded = directConvPlan('FusedConv2D', { x: info([1, 16, 16, 3]), filter, bias: info([4]) }, attrs)!;
    const small = directConvPlan('FusedConv2D', { x, filter, bias: info([4]) }, attrs)!; // 8 x 8 outputs
    const gradient = directConvPlan('Conv2DBackpropInput', { dy: info([1, 40, 40, 4]), filter }, { ...attrs, inputShape: [1, 40, 40, 3] })!;
    const bandedGradient = directConvPlan(
      'Conv2DBackpropInput',
      { dy: info([1, 16, 16, 4]), filter },
      { ...attrs, inputShape: [1, 16, 16, 3] },
    )!;
    const smallGradient = directConvPlan(
      'Conv2DBackpropInput',
      { dy: info([1, 8, 8, 4]), filter },
      { ...attrs, inputShape: [1, 8, 8, 3] },
    )!;
    const plans = [forward, strided, banded, small, gradient, bandedGradient, smallGradient];
    const names = (adapter: AdapterDescription) => plans.map((plan) => directConvKernel(plan, adapter).name);
    expect(names(swiftShader)).toEqual([
      'direct-conv2d-slide',
      'direct-conv2d',
      'direct-conv2d-band-16x16x3-3x3-16x16x4-s1x1-p1x1',
      'direct-conv2d-plane-8x8x3-3x3-8x8x4-s1x1-p1x1',
      'direct-conv2d-backprop-input-slide',
      'direct-conv2d-backprop-input-band-16x16x3-3x3-16x16x4-s1x1-p1x1',
      'direct-conv2d-backprop-input-plane-8x8x3-3x3-8x8x4-s1x1-p1x1',
    ]);
    expect(names(lavapipe)).toEqual([
      'direct-conv2d',
      'direct-conv2d',
      'direct-conv2d',
      'direct-conv2d',
      'direct-conv2d-backprop-input-narrow',
      'direct-conv2d-backprop-input-narrow',
      'direct-conv2d-backprop-input-narrow',
    ]);
  });

  it.for([
    ['NCHW', { x: info([1, 3, 8, 8]), filter }, { ...attrs, dataFormat: 'NCHW' }],
    ['dilation 2', { x, filter }, { ...attrs, dilations: 2 }],
    ['leaky relu', { x, filter }, { ...attrs, activation: 'leakyrelu' }],
    ['sigmoid', { x, filter }, { ...attrs, activation: 'sigmoid' }],
    ['prelu weights', { x, filter, preluActivationWeights: info([4]) }, { ...attrs, activation: 'prelu' }],
    ['a scalar bias', { x, filter, bias: info([1]) }, attrs],
    ['int32 input', { x: info([1, 8, 8, 3], 'int32'), filter }, attrs],
    ['an empty batch', { x: info([0, 8, 8, 3]), filter }, attrs],
  ] as const)('leaves %s to tfjs', ([, inputs, a]) => {
    expect(directConvPlan('FusedConv2D', inputs as tf.NamedTensorInfoMap, a)).toBeUndefined();
  });
});
