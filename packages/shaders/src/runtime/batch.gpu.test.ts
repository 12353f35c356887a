// SPDX-License-Identifier: Apache-2.0
import { afterEach, beforeEach, describe, expect, vi, type MockInstance } from 'vitest';
import { gpuTest } from '@webxai/testing';
import { KernelBatch, recordKernels } from './batch.js';
import { BufferUsage, createBuffer, liveBufferCount, readFloat32, releaseBuffer, uploadBuffer } from './buffers.js';
import { DisposedError, GpuValidationError, InvalidOptionError } from './errors.js';
import { defineKernel, runKernel } from './kernel.js';
import { affine } from '../elementwise/affine.kernel.js';
import { fill } from '../elementwise/fill.kernel.js';

/** Counts queue.submit calls (calls through to the real one). */
let submit: MockInstance<GPUQueue['submit']>;
let createBufferSpy: MockInstance<GPUDevice['createBuffer']>;
beforeEach(() => {
  submit = vi.spyOn(GPUQueue.prototype, 'submit');
  createBufferSpy = vi.spyOn(GPUDevice.prototype, 'createBuffer');
});
afterEach(() => {
  submit.mockRestore();
  createBufferSpy.mockRestore();
});

const N = 300; // more than one workgroup of 256, with a ragged last one

describe('KernelBatch', () => {
  gpuTest('runs its steps in recording order, each seeing the previous ones, in ONE queue.submit', async ({ device }) => {
    const before = liveBufferCount(device);
    const [a, b, c, d, e] = ['a', 'b', 'c', 'd', 'e'].map((label) => createBuffer(device, N * 4, label)) as [GPUBuffer, ...GPUBuffer[]];
    const [bb, cc, dd, ee] = [b!, c!, d!, e!];
    submit.mockClear();
    createBufferSpy.mockClear();
    await recordKernels(device, 'order', (batch) => {
      batch.dispatch(fill, { params: { count: N, value: 1 }, output: a });
      batch.dispatch(affine, { params: { count: N, scale: 2, offset: 1 }, input: a, output: bb }); // b = 3: sees the first fill
      batch.dispatch(fill, { params: { count: N, value: 5 }, output: a }); // overwrites a after b read it
      batch.dispatch(affine, { params: { count: N, scale: 2, offset: 1 }, input: a, output: cc }); // c = 11
      batch.copy(bb, 0, dd, 0, N * 4); // d = 3: a copy between dispatches ends the pass and keeps its place
      batch.dispatch(affine, { params: { count: N, scale: 10, offset: 0 }, input: dd, output: ee }); // e = 30: sees the copy
      batch.clear(a, 0, 8); // a[0..2) = 0 after everything that read a
    });
    expect(submit).toHaveBeenCalledTimes(1);
    expect(createBufferSpy).toHaveBeenCalledTimes(1); // all five uniforms share one buffer
    const read = async (buffer: GPUBuffer) => Array.from(new Set(await readFloat32(device, buffer, N)));
    expect(await read(bb)).toEqual([3]);
    expect(await read(cc)).toEqual([11]);
    expect(await read(dd)).toEqual([3]);
    expect(await read(ee)).toEqual([30]);
    expect(Array.from(await readFloat32(device, a, 3))).toEqual([0, 0, 5]);
    [a, bb, cc, dd, ee].forEach((buffer) => releaseBuffer(device, buffer));
    expect(liveBufferCount(device)).toBe(before);
  });

  gpuTest('gives the same results as the same kernels run one by one with runKernel', async ({ device }) => {
    const input = uploadBuffer(
      device,
      Float32Array.from({ length: N }, (_, i) => i * 0.37 - 20),
      'input',
    );
    const [x1, y1, x2, y2] = [0, 1, 2, 3].map<GPUBuffer>((i) => createBuffer(device, N * 4, `out${i}`));
    await runKernel(device, affine, { params: { count: N, scale: -1.5, offset: 0.25 }, input, output: x1! });
    await runKernel(device, affine, { params: { count: N, scale: 3, offset: -7 }, input: x1!, output: y1! });
    submit.mockClear();
    const batch = new KernelBatch(device, 'parity');
    batch.dispatch(affine, { params: { count: N, scale: -1.5, offset: 0.25 }, input, output: x2! });
    batch.dispatch(affine, { params: { count: N, scale: 3, offset: -7 }, input: x2!, output: y2! });
    expect(batch.kernelNames).toEqual(['affine', 'affine']);
    await batch.submit();
    expect(submit).toHaveBeenCalledTimes(1);
    expect(await readFloat32(device, y2!, N)).toEqual(await readFloat32(device, y1!, N));
    [input, x1, y1, x2, y2].forEach((buffer) => releaseBuffer(device, buffer));
  });

  gpuTest('binds a uniform an earlier step wrote on the GPU (uniformBuffers)', async ({ device }) => {
    const packed = new Uint32Array([N, 0, 0, 0]); // fill's Params {count: u32, value: f32}
    new Float32Array(packed.buffer)[1] = 2.5;
    const source = uploadBuffer(device, packed, 'params-source');
    const params = createBuffer(device, 16, 'params', BufferUsage.UNIFORM | BufferUsage.COPY_DST);
    const output = createBuffer(device, N * 4, 'output');
    await recordKernels(device, 'gpu-params', (batch) => {
      batch.copy(source, 0, params, 0, 16);
      // The CPU-side value (-1) is a placeholder: the copied uniform is bound instead.
      batch.dispatch(fill, { params: { count: N, value: -1 }, output }, { uniformBuffers: { params } });
    });
    expect(Array.from(new Set(await readFloat32(device, output, N)))).toEqual([2.5]);
    const misnamed = { uniformBuffers: { output: params } } as never;
    expect(() => new KernelBatch(device, 'x').dispatch(fill, { params: { count: N, value: 0 }, output }, misnamed)).toThrow(
      /uniformBuffers\.output names no uniform binding/,
    );
    [source, params, output].forEach((buffer) => releaseBuffer(device, buffer));
  });

  gpuTest('an empty batch and empty grids submit nothing', async ({ device }) => {
    const output = createBuffer(device, 16, 'output');
    submit.mockClear();
    createBufferSpy.mockClear();
    await recordKernels(device, 'empty', () => undefined);
    const batch = new KernelBatch(device, 'zero-count');
    batch.dispatch(fill, { params: { count: 0, value: 1 }, output });
    expect(batch.size).toBe(0);
    await batch.submit();
    expect(submit).not.toHaveBeenCalled();
    expect(createBufferSpy).not.toHaveBeenCalled();
    releaseBuffer(device, output);
  });

  gpuTest('bad arguments throw typed errors when recorded, and nothing is submitted', async ({ device }) => {
    const before = liveBufferCount(device);
    const output = createBuffer(device, N * 4, 'output');
    submit.mockClear();
    const recording = recordKernels(device, 'bad-uniform', (batch) => {
      batch.dispatch(fill, { params: { count: N, value: 1 }, output });
      batch.dispatch(fill, { params: { count: -1, value: 1 }, output });
    });
    await expect(recording).rejects.toBeInstanceOf(InvalidOptionError);
    await expect(recording).rejects.toThrow(/fill: uniform params\.count must be a u32/);
    const missing = recordKernels(device, 'missing-buffer', (batch) => {
      batch.dispatch(fill, { params: { count: N, value: 1 } } as never);
    });
    await expect(missing).rejects.toThrow(/missing buffer for binding "output"/);
    expect(submit).not.toHaveBeenCalled();
    releaseBuffer(device, output);
    expect(liveBufferCount(device)).toBe(before);
  });

  gpuTest('a submitted batch refuses more steps and a second submit (DisposedError)', async ({ device }) => {
    const output = createBuffer(device, 16, 'output');
    const batch = new KernelBatch(device, 'once');
    batch.dispatch(fill, { params: { count: 4, value: 1 }, output });
    await batch.submit();
    expect(() => batch.dispatch(fill, { params: { count: 4, value: 1 }, output })).toThrow(DisposedError);
    expect(() => batch.copy(output, 0, output, 0, 4)).toThrow(/after submit\(\)/);
    await expect(batch.submit()).rejects.toBeInstanceOf(DisposedError);
    releaseBuffer(device, output);
  });

  gpuTest('a validation error is a GpuValidationError naming the kernel that caused it', async ({ device }) => {
    const output = createBuffer(device, N * 4, 'output');
    // A MAP_READ buffer cannot be bound as storage: the second kernel's bind group is invalid.
    const bad = device.createBuffer({ size: N * 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, label: 'not-storage' });
    const error = await recordKernels(device, 'invalid', (batch) => {
      batch.dispatch(fill, { params: { count: N, value: 1 }, output });
      batch.dispatch(affine, { params: { count: N, scale: 1, offset: 0 }, input: output, output: bad });
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GpuValidationError);
    expect((error as GpuValidationError).kernelName).toBe('affine');
    expect((error as Error).message).toContain('Kernel "affine" failed GPU validation');
    bad.destroy();
    releaseBuffer(device, output);
  });

  gpuTest('a kernel that fails to compile rejects submit() with its name, and nothing is submitted', async ({ device }) => {
    const broken = defineKernel({
      name: 'broken-in-batch',
      source: 'override WORKGROUP_SIZE: u32;\n@compute @workgroup_size(WORKGROUP_SIZE) fn main() { let x = undefinedName; }',
      workgroupSize: 64,
      bindings: {},
      tolerance: { abs: 0, rel: 0 },
      workgroups: () => 1,
    });
    const output = createBuffer(device, 16, 'output');
    submit.mockClear();
    const batch = new KernelBatch(device, 'compile');
    batch.dispatch(fill, { params: { count: 4, value: 1 }, output });
    batch.dispatch(broken, {});
    const error = await batch.submit().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GpuValidationError);
    expect((error as GpuValidationError).kernelName).toBe('broken-in-batch');
    expect(submit).not.toHaveBeenCalled();
    releaseBuffer(device, output);
  });
});
