// SPDX-License-Identifier: Apache-2.0
// <xai-heatmap> drawing attributions that live on the GPU (tfjs webgpu tensors, {buffer, shape}).
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { gpuBufferOf, tfjsDevice } from '@webxai/core';
import { liveBufferCount } from '@webxai/shaders';
import '../src/index.js';
import type { XaiErrorDetail, XaiHeatmap } from '../src/index.js';
import { greyImage, hotSquare, nextEvent } from './helpers.js';

const SIZE = 32;

async function mount(props: Partial<XaiHeatmap>): Promise<XaiHeatmap> {
  const el = document.createElement('xai-heatmap');
  Object.assign(el, props);
  document.body.append(el);
  await el.renderComplete;
  return el;
}

/** A [1, SIZE, SIZE, channels] webgpu tensor: a smooth ramp plus a hot square (distinct values). */
function attributionTensor(channels = 1, hot = 5): tf.Tensor4D {
  const square = hotSquare(SIZE, 8, 20, hot).data;
  const data = new Float32Array(SIZE * SIZE * channels);
  for (let i = 0; i < data.length; i++) data[i] = (square[Math.floor(i / channels)]! + (i % 97) / 97 - 0.3) / channels;
  return tf.tensor4d(data, [1, SIZE, SIZE, channels]);
}

beforeAll(async () => {
  await import('@tensorflow/tfjs-backend-webgpu');
  await tf.setBackend('webgpu');
});
afterAll(async () => {
  await tf.setBackend('cpu');
});
afterEach(() => {
  vi.restoreAllMocks();
  document.querySelectorAll('xai-heatmap').forEach((el) => el.remove());
});

describe('<xai-heatmap> with a GPU-resident attribution', () => {
  it('draws a tfjs webgpu tensor from its buffer: same picture and numbers as the CPU-values path', async () => {
    for (const [channels, reduce] of [
      [1, 'sum'],
      [3, 'sum'],
      [3, 'mean-abs'],
    ] as const) {
      const tensor = attributionTensor(channels);
      const common = { image: greyImage(SIZE, SIZE, 90), signed: 'both' as const, colormap: 'RdBu' as const, reduce };
      const gpu = await mount({ ...common, attribution: tensor, renderer: 'webgpu' });
      const cpu = await mount({ ...common, attribution: { data: await tensor.data(), shape: tensor.shape }, renderer: 'webgpu' });
      expect(gpu.state, gpu.error?.message).toBe('ready');
      expect(gpu.renderedWith).toBe('webgpu');
      expect(gpu.attributionMap).toBeUndefined(); // no CPU copy was made
      expect(gpu.info!.max).toBeCloseTo(cpu.info!.max, 5);
      expect(gpu.info!.clipValue).toBeCloseTo(cpu.info!.clipValue, 5);
      const [a, b] = [await gpu.pixels(), await cpu.pixels()];
      let off = 0;
      for (let i = 0; i < a.data.length; i++) off = Math.max(off, Math.abs(a.data[i]! - b.data[i]!));
      expect(off, `channels ${channels} ${reduce}`).toBeLessThanOrEqual(1);
      expect(gpu.description).toMatch(/Values range from .* saturates at .*Strongest attribution/);
      gpu.remove();
      cpu.remove();
      tensor.dispose();
    }
  });

  it('a stream of frames is drawn while every read-out is still held: drawing never waits for mapAsync', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    // The real mapAsync, taken as a plain function (it is called with the buffer as `this` below).
    type MapAsync = (this: GPUBuffer, ...args: Parameters<GPUBuffer['mapAsync']>) => Promise<undefined>;
    const original = Object.getOwnPropertyDescriptor(GPUBuffer.prototype, 'mapAsync')!.value as MapAsync;
    const mapAsync = vi.spyOn(GPUBuffer.prototype, 'mapAsync').mockImplementation(function (this: GPUBuffer, ...args) {
      return gate.then(() => original.apply(this, args));
    });
    const frames = [1, 2, 3, 4, 5].map((hot) => attributionTensor(1, hot));
    const el = document.createElement('xai-heatmap');
    Object.assign(el, { image: greyImage(SIZE, SIZE), renderer: 'webgpu' });
    document.body.append(el);
    for (const [i, frame] of frames.entries()) {
      el.attribution = frame;
      await expect.poll(() => el.gpuFramesDrawn).toBe(i + 1);
    }
    // Five pictures drawn, one read-out started (the others coalesce into one follow-up), none landed.
    expect(mapAsync.mock.calls.length).toBe(1);
    expect(el.info).toBeUndefined();
    release();
    await el.renderComplete;
    expect(el.state, el.error?.message).toBe('ready');
    expect(mapAsync.mock.calls.length).toBe(2);
    const newest = Array.from(await frames[4]!.data(), Math.abs);
    expect(el.info!.max).toBe(Math.max(...newest)); // the newest frame's numbers (signed 'absolute')
    el.remove();
    frames.forEach((t) => t.dispose());
  });

  it('NaN or Inf: the typed error from the GPU reduction, as the CPU path words it, and no picture', async () => {
    const data = (await attributionTensor().data()) as Float32Array;
    data[2 * SIZE + 3] = NaN;
    data[5 * SIZE + 1] = Infinity;
    const tensor = tf.tensor2d(data, [SIZE, SIZE]);
    const el = document.createElement('xai-heatmap');
    const error = nextEvent<XaiErrorDetail>(el, 'xai-error');
    Object.assign(el, { image: greyImage(SIZE, SIZE), attribution: tensor, renderer: 'webgpu' });
    document.body.append(el);
    const { detail } = await error;
    await el.renderComplete;
    expect(detail.error.code).toBe('invalid-input');
    expect(detail.error.message).toMatch(/^attribution contains 2 NaN or infinite values \(first at x=3, y=2\)/);
    expect(el.state).toBe('error');
    expect(el.shadowRoot!.querySelector('canvas')).toBeNull();
    // The CPU path says exactly the same.
    const cpu = await mount({ image: greyImage(SIZE, SIZE), attribution: { data, shape: [SIZE, SIZE] }, renderer: 'webgpu' });
    expect(cpu.error!.message).toBe(detail.error.message);
    tensor.dispose();
  });

  it('draws a {buffer, shape} attribution on the given device, and reads the value under the cursor on demand', async () => {
    const tensor = attributionTensor();
    const el = await mount({ attribution: { buffer: gpuBufferOf(tensor), shape: [SIZE, SIZE] }, device: tfjsDevice(), renderer: 'webgpu' });
    expect(el.state, el.error?.message).toBe('ready');
    el.focus();
    el.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight' })); // cursor at the centre (16, 16)
    const expected = (await tensor.data())[16 * SIZE + 16]!;
    await expect
      .poll(() => el.shadowRoot!.querySelector('[part=readout]')!.textContent)
      .toContain(`x 16, y 16: ${Number(expected.toPrecision(3))}`);
    el.remove();
    tensor.dispose();
  });

  it('a {buffer, shape} attribution without device is a typed error naming the fix', async () => {
    const tensor = attributionTensor();
    const el = await mount({ attribution: { buffer: gpuBufferOf(tensor), shape: [SIZE, SIZE] }, renderer: 'webgpu' });
    expect(el.state).toBe('error');
    expect(el.error!.code).toBe('invalid-option');
    expect(el.error!.message).toMatch(/needs device/);
    tensor.dispose();
  });

  it('leaks neither GPU buffers nor tensors (the channel reduction it makes is disposed)', async () => {
    const tensor = attributionTensor(3);
    const device = tfjsDevice();
    const [buffers, tensors] = [liveBufferCount(device), tf.memory().numTensors];
    const el = await mount({ image: greyImage(SIZE, SIZE), attribution: tensor, renderer: 'webgpu' });
    expect(el.state, el.error?.message).toBe('ready');
    expect(tf.memory().numTensors).toBe(tensors + 1); // the reduced [H, W] map it draws from
    el.attribution = attributionTensor(3, 2); // a new input: the old reduction is disposed
    await el.renderComplete;
    expect(tf.memory().numTensors).toBe(tensors + 2); // the new input and its reduction
    (el.attribution as tf.Tensor).dispose();
    el.remove();
    await el.renderComplete;
    expect(liveBufferCount(device)).toBe(buffers);
    expect(tf.memory().numTensors).toBe(tensors);
    tensor.dispose();
  });
});
