// SPDX-License-Identifier: Apache-2.0
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { directDepthwiseConv2d } from '@webxai/shaders';
import {
  DIRECT_DEPTHWISE_FLAG,
  directDepthwisePlan,
  installDirectDepthwise,
  uninstallDirectDepthwise,
} from './direct-depthwise-kernels.js';
import { activeAdapterIsSoftware, configureTfjs } from './tfjs-setup.js';
import { checkWebgpuLeaksPerTest, spyOnKernelDispatches, type KernelDispatchSpy } from '../../test/kernel-wrapper-hooks.js';
import { valuesOn, type ConvCase } from '../../test/conv-cases.js';

const CASES: readonly ConvCase[] = [
  { name: '30 channels, same', x: [1, 14, 14, 30], w: [3, 3, 30, 1], strides: [1, 1], pad: 'same' },
  { name: 'stride 2, batch 2, 5 channels, same', x: [2, 9, 7, 5], w: [3, 3, 5, 1], strides: [2, 2], pad: 'same' },
  { name: 'valid, mixed strides', x: [1, 8, 10, 6], w: [2, 3, 6, 1], strides: [1, 2], pad: 'valid' },
  {
    name: 'explicit pads, 3 channels',
    x: [3, 6, 5, 3],
    w: [3, 3, 3, 1],
    strides: [1, 1],
    pad: [
      [0, 0],
      [1, 0],
      [2, 1],
      [0, 0],
    ],
  },
];
const TOLERANCE = directDepthwiseConv2d.tolerance;

/** Dispatches of webxai's two depthwise kernels (their names share this prefix). */
let dispatches: KernelDispatchSpy;

const depthwise = (c: ConvCase) => (x: tf.Tensor4D, w: tf.Tensor4D) => tf.depthwiseConv2d(x, w, c.strides, c.pad);
const inputGradient = (c: ConvCase) => (x: tf.Tensor4D, w: tf.Tensor4D) =>
  tf.grad((xs: tf.Tensor) => {
    const y = tf.depthwiseConv2d(xs as tf.Tensor4D, w, c.strides, c.pad);
    return tf.sum(tf.mul(y, tf.sin(y)));
  })(x);

describe('direct depthwise convolution for tfjs-webgpu (Dawn + lavapipe)', () => {
  checkWebgpuLeaksPerTest(() => {
    vi.restoreAllMocks();
    installDirectDepthwise(activeAdapterIsSoftware);
    tf.env().set(DIRECT_DEPTHWISE_FLAG, activeAdapterIsSoftware());
  });
  beforeAll(() => {
    dispatches = spyOnKernelDispatches('direct-depthwise-conv2d');
  });
  beforeEach(() => {
    installDirectDepthwise(activeAdapterIsSoftware);
    tf.env().set(DIRECT_DEPTHWISE_FLAG, true);
    dispatches.count = 0;
  });

  it('configureTfjs turns it on by default on a software adapter (lavapipe here)', async () => {
    tf.env().reset(); // forget every value set so far; configureTfjs sets its own again
    configureTfjs();
    expect(tf.env().getBool(DIRECT_DEPTHWISE_FLAG)).toBe(true);
    await valuesOn('webgpu', CASES[0]!, depthwise(CASES[0]!));
    expect(dispatches.count).toBe(1);
  });

  it.for(CASES)('depthwiseConv2d $name: direct kernel = tfjs cpu', async (c) => {
    const gpu = await valuesOn('webgpu', c, depthwise(c));
    expect(dispatches.count).toBe(1);
    expect(gpu).toBeAllClose(await valuesOn('cpu', c, depthwise(c)), TOLERANCE);
  });

  it.for(CASES)('input gradient $name (forward + DepthwiseConv2dNativeBackpropInput under tf.grad) = tfjs cpu', async (c) => {
    const gpu = await valuesOn('webgpu', c, inputGradient(c));
    expect(dispatches.count).toBe(2); // DepthwiseConv2dNative, then its backprop-input
    expect(gpu).toBeAllClose(await valuesOn('cpu', c, inputGradient(c)), { abs: 1e-4, rel: 1e-4 });
  });

  it("a forward tfjs runs with its vec4 shader (channels a multiple of 4) stays tfjs's; its input gradient runs direct", async () => {
    const c: ConvCase = { name: 'MobileNetV2 block', x: [1, 14, 14, 32], w: [3, 3, 32, 1], strides: [1, 1], pad: 'same' };
    const gpu = await valuesOn('webgpu', c, inputGradient(c));
    expect(dispatches.count).toBe(1); // the backprop-input only
    expect(gpu).toBeAllClose(await valuesOn('cpu', c, inputGradient(c)), { abs: 1e-4, rel: 1e-4 });
  });

  it('a tfjs-layers DepthwiseConv2D (as in MobileNetV2): predictions and input gradients = tfjs cpu', async () => {
    await tf.setBackend('cpu'); // weights made on cpu first: tfjs moves cpu -> webgpu, not back, in Node
    const layer = tf.layers.depthwiseConv2d({ kernelSize: 3, strides: 2, padding: 'same', useBias: false, inputShape: [9, 9, 6] });
    const model = tf.sequential({ layers: [layer, tf.layers.reLU({ maxValue: 6 })] });
    const c: ConvCase = { name: 'layer', x: [2, 9, 9, 6], w: [1, 1, 1, 1], strides: [1, 1], pad: 'same' };
    const predict = (x: tf.Tensor4D) => model.predict(x) as tf.Tensor;
    const gradient = (x: tf.Tensor4D) => tf.grad((xs: tf.Tensor) => tf.sum(tf.mul(predict(xs as tf.Tensor4D), 0.5)))(x);
    const cpu = [await valuesOn('cpu', c, predict), await valuesOn('cpu', c, gradient)];
    const gpu = [await valuesOn('webgpu', c, predict), await valuesOn('webgpu', c, gradient)];
    // predict: DepthwiseConv2dNative (tfjs-layers never fuses it); tf.grad: it again, then the backprop-input.
    expect(dispatches.count).toBe(3);
    expect(gpu[0]).toBeAllClose(cpu[0]!, TOLERANCE);
    expect(gpu[1]).toBeAllClose(cpu[1]!, { abs: 1e-5, rel: 1e-4 });
    model.dispose();
  });

  it("flag off: tfjs's own kernels, same values", async () => {
    const c = CASES[1]!;
    const direct = await valuesOn('webgpu', c, inputGradient(c));
    expect(dispatches.count).toBe(2);
    tf.env().set(DIRECT_DEPTHWISE_FLAG, false);
    const tfjsOwn = await valuesOn('webgpu', c, inputGradient(c));
    expect(dispatches.count).toBe(2);
    expect(direct).toBeAllClose(tfjsOwn, { abs: 1e-4, rel: 1e-4 });
  });

  it("calls tfjs's kernel for what the direct kernels do not cover, with the right values", async () => {
    const c = CASES[1]!;
    const dilated = (x: tf.Tensor4D, w: tf.Tensor4D) => tf.depthwiseConv2d(x, w, 1, 'same', 'NHWC', 2);
    const multiplier2 = (x: tf.Tensor4D, w: tf.Tensor4D) => tf.depthwiseConv2d(x, tf.concat([w, tf.neg(w)], 3), 1, 'same');
    for (const work of [dilated, (x: tf.Tensor4D, w: tf.Tensor4D) => tf.tidy(() => multiplier2(x, w))]) {
      const gpu = await valuesOn('webgpu', c, work);
      expect(gpu).toBeAllClose(await valuesOn('cpu', c, work), TOLERANCE);
    }
    expect(dispatches.count).toBe(0);
  });

  it('a dispatch that throws passes the error on and gives the output buffer back (no leak)', () => {
    const [x, w] = [tf.ones<tf.Rank.R4>([1, 4, 4, 2]), tf.ones<tf.Rank.R4>([3, 3, 2, 1])];
    dispatches.failNext = true;
    expect(() => tf.depthwiseConv2d(x, w, 1, 'same')).toThrow('injected dispatch failure');
    expect(dispatches.count).toBe(1);
    tf.dispose([x, w]); // afterEach: tensors and pool buffers back to where they were
  });

  it('uninstall restores the original kernels', async () => {
    uninstallDirectDepthwise();
    await valuesOn('webgpu', CASES[0]!, depthwise(CASES[0]!));
    expect(dispatches.count).toBe(0);
  });
});

describe('directDepthwisePlan: what the direct kernels cover', () => {
  const info = (shape: number[], dtype: tf.DataType = 'float32'): tf.TensorInfo => ({ dataId: {}, shape, dtype });
  const x = info([1, 8, 8, 3]);
  const filter = info([3, 3, 3, 1]);
  const attrs = { strides: 1, pad: 'same', dataFormat: 'NHWC', dilations: 1 };

  it('covers NHWC, channel multiplier 1, dilation 1, float32', () => {
    expect(directDepthwisePlan('DepthwiseConv2dNative', { x, filter }, attrs)).toMatchObject({
      kind: 'forward',
      geometry: { outHeight: 8, outWidth: 8, inChannels: 3, outChannels: 3, padTop: 1, padLeft: 1 },
    });
    const dy = info([1, 4, 4, 3]);
    const backprop = { ...attrs, strides: 2, inputShape: [1, 8, 8, 3] };
    expect(directDepthwisePlan('DepthwiseConv2dNativeBackpropInput', { dy, filter }, backprop)).toMatchObject({
      kind: 'backprop-input',
      geometry: { inHeight: 8, outHeight: 4, strideHeight: 2 },
    });
    expect(directDepthwisePlan('DepthwiseConv2dNativeBackpropInput', { dy: info([1, 8, 8, 3]), filter }, backprop)).toBeUndefined();
  });

  it.for([
    ['NCHW', { x: info([1, 3, 8, 8]), filter }, { ...attrs, dataFormat: 'NCHW' }],
    ['dilation 2', { x, filter }, { ...attrs, dilations: 2 }],
    ['channel multiplier 2', { x, filter: info([3, 3, 3, 2]) }, attrs],
    ["what tfjs's vec4 shader computes (4k channels, stride <= 2)", { x: info([1, 8, 8, 4]), filter: info([3, 3, 4, 1]) }, attrs],
    ['int32 input', { x: info([1, 8, 8, 3], 'int32'), filter }, attrs],
    ['an empty batch', { x: info([0, 8, 8, 3]), filter }, attrs],
  ] as const)('leaves %s to tfjs', ([, inputs, a]) => {
    expect(directDepthwisePlan('DepthwiseConv2dNative', inputs as tf.NamedTensorInfoMap, a)).toBeUndefined();
  });
});
