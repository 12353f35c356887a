// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { gpuTest } from '@webxai/testing';
import { assembleSource, defineKernel, dispatchSize, runKernel } from './kernel.js';
import { createBuffer, liveBufferCount, readFloat32, releaseBuffer } from './buffers.js';
import { acquireDevice, isDeviceLost, requestFreshDevice } from './device.js';
import { DeviceLostError, GpuValidationError, XaiError } from './errors.js';
import { foldWorkgroups } from './dispatch.js';
import { fill } from '../elementwise/fill.kernel.js';

describe('foldWorkgroups', () => {
  it('keeps small counts 1-D and folds large ones into x/y with x, y <= 65535', () => {
    expect(foldWorkgroups(0)).toEqual([0, 1, 1]);
    expect(foldWorkgroups(65_535)).toEqual([65_535, 1, 1]);
    expect(foldWorkgroups(65_536)).toEqual([32_768, 2, 1]);
    for (const n of [65_536, 100_000, 1_000_003, 37_500 * 256]) {
      const [x, y] = foldWorkgroups(n);
      expect(x).toBeLessThanOrEqual(65_535);
      expect(x * y).toBeGreaterThanOrEqual(n);
      expect(x * (y - 1)).toBeLessThan(n); // waste is less than one row
    }
  });

  it('rejects counts that cannot be folded into two dimensions', () => {
    expect(() => foldWorkgroups(65_535 * 65_535 + 1)).toThrow(XaiError);
    expect(() => foldWorkgroups(1.5)).toThrow(/non-negative integer/);
  });
});

// fill.wgsl with one invocation per workgroup: 70,001 elements need a folded 2-D dispatch.
const fillOnePerGroup = defineKernel({
  ...fill,
  threads: undefined,
  name: 'fill-one-per-group',
  workgroupSize: 1,
  workgroups: ({ params }) => params.count,
});

describe('dispatchSize', () => {
  it('turns threads into ceil(threads / workgroupSize) workgroups and passes explicit workgroups through', () => {
    expect(dispatchSize(fill, { params: { count: 1, value: 0 }, output: {} as GPUBuffer })).toBe(1);
    expect(dispatchSize(fill, { params: { count: 256, value: 0 }, output: {} as GPUBuffer })).toBe(1);
    expect(dispatchSize(fill, { params: { count: 257, value: 0 }, output: {} as GPUBuffer })).toBe(2);
    expect(dispatchSize(fill, { params: { count: 0, value: 0 }, output: {} as GPUBuffer })).toBe(0);
    expect(dispatchSize(fillOnePerGroup, { params: { count: 70_001, value: 0 }, output: {} as GPUBuffer })).toBe(70_001);
  });
});

describe('assembleSource', () => {
  it('pastes prelude, includes (each once, dependencies first) and source, and locates lines in each part', () => {
    const a = { name: 'a.wgsl', source: 'const A = 1;' };
    const b = { name: 'b.wgsl', source: 'const B = A;\nconst B2 = 2;', includes: [a] };
    const { code, locate } = assembleSource({ name: 'k', source: 'line1\nline2', includes: [b, a] });
    const lines = code.split('\n');
    const first = lines.indexOf('const A = 1;') + 1;
    expect(lines.filter((l) => l === 'const A = 1;')).toHaveLength(1);
    expect(locate(1)).toBe('prelude.wgsl:1');
    expect(locate(first)).toBe('a.wgsl:1');
    expect(locate(first + 2)).toBe('b.wgsl:2');
    expect(locate(first + 3)).toBe('k.wgsl:1');
    expect(locate(lines.length)).toBe('k.wgsl:2');
    expect(lines[lines.length - 1]).toBe('line2');
  });
});

describe('runKernel', () => {
  gpuTest('folds a dispatch of more than 65,535 workgroups and covers every element exactly', async ({ device }) => {
    const count = 70_001;
    const out = createBuffer(device, (count + 64) * 4, 'out');
    await runKernel(device, fillOnePerGroup, { params: { count, value: 3 }, output: out });
    const values = await readFloat32(device, out, count + 64);
    expect(values.subarray(0, count).every((v) => v === 3)).toBe(true);
    expect(values.subarray(count).every((v) => v === 0)).toBe(true); // bounds check holds in the ragged row
    releaseBuffer(device, out);
  });

  gpuTest('a kernel that writes a read-only binding fails with GpuValidationError naming the kernel', async ({ device }) => {
    const broken = defineKernel({
      name: 'broken-write-to-read',
      source: /* wgsl */ `
        override WORKGROUP_SIZE: u32 = 64u;
        @group(0) @binding(0) var<storage, read> data: array<f32>;
        @compute @workgroup_size(WORKGROUP_SIZE) fn main(@builtin(global_invocation_id) g: vec3u) { data[g.x] = 1.0; }`,
      workgroupSize: 64,
      bindings: { data: { storage: 'read' } },
      tolerance: { abs: 0, rel: 0 },
      workgroups: () => 1,
    });
    const data = createBuffer(device, 256, 'data');
    const error = await runKernel(device, broken, { data }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GpuValidationError);
    expect((error as GpuValidationError).kernelName).toBe('broken-write-to-read');
    expect((error as Error).message).toMatch(/Kernel "broken-write-to-read" failed GPU validation/);
    releaseBuffer(device, data);
  });

  gpuTest("a compile error names the line in the kernel's own file, not counting the prelude and includes", async ({ device }) => {
    const helper = { name: 'helper.wgsl', source: 'fn helper() -> f32 {\n  return 1.0;\n}' };
    const broken = defineKernel({
      name: 'broken-syntax',
      source: [
        'override WORKGROUP_SIZE: u32;',
        '@group(0) @binding(0) var<storage, read_write> data: array<f32>;',
        '@compute @workgroup_size(WORKGROUP_SIZE) fn main() {',
        '  data[0] = helper() + undefinedName;',
        '}',
      ].join('\n'),
      includes: [helper],
      workgroupSize: 64,
      bindings: { data: { storage: 'read_write' } },
      tolerance: { abs: 0, rel: 0 },
      workgroups: () => 1,
    });
    const data = createBuffer(device, 256, 'data');
    const error = await runKernel(device, broken, { data }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GpuValidationError);
    expect((error as Error).message).toMatch(/broken-syntax\.wgsl:4:\d+ .*undefinedName/);
    releaseBuffer(device, data);
  });

  gpuTest('binding a buffer whose declared access does not match its usage fails validation, naming the kernel', async ({ device }) => {
    // A MAP_READ buffer cannot be bound as storage: the dispatch itself is invalid.
    const bad = device.createBuffer({ size: 256, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, label: 'not-storage' });
    const error = await runKernel(device, fill, { params: { count: 4, value: 1 }, output: bad }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GpuValidationError);
    expect((error as Error).message).toContain('Kernel "fill"');
    bad.destroy();
  });

  gpuTest('rejects uniform values of the wrong type before touching the GPU', async ({ device }) => {
    const out = createBuffer(device, 16, 'out');
    await expect(runKernel(device, fill, { params: { count: -1, value: 0 }, output: out })).rejects.toThrow(/params\.count must be a u32/);
    await expect(runKernel(device, fill, { params: { count: 1, value: Number.NaN }, output: out })).rejects.toThrow(
      /params\.value must be a f32/,
    );
    releaseBuffer(device, out);
  });

  gpuTest('tracks live buffers so that leaks are visible', ({ device }) => {
    const before = liveBufferCount(device);
    const a = createBuffer(device, 64, 'a');
    expect(liveBufferCount(device)).toBe(before + 1);
    releaseBuffer(device, a);
    releaseBuffer(device, a); // twice is harmless
    expect(liveBufferCount(device)).toBe(before);
  });
});

describe('device loss', () => {
  it('surfaces DeviceLostError and acquireDevice() hands out a fresh device', async () => {
    const device = await acquireDevice();
    const out = createBuffer(device, 64, 'out');
    await runKernel(device, fill, { params: { count: 4, value: 1 }, output: out });
    device.destroy();
    await device.lost;
    await new Promise((r) => setTimeout(r, 0));
    expect(isDeviceLost(device)).toBe(true);
    const error = await runKernel(device, fill, { params: { count: 4, value: 1 }, output: out }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeviceLostError);
    expect((error as Error).message).toMatch(/fill.*lost/);

    const fresh = await acquireDevice();
    expect(fresh).not.toBe(device);
    const out2 = createBuffer(fresh, 64, 'out2');
    await runKernel(fresh, fill, { params: { count: 4, value: 2 }, output: out2 });
    expect(Array.from(await readFloat32(fresh, out2, 4))).toEqual([2, 2, 2, 2]);
    releaseBuffer(fresh, out2);
    fresh.destroy();
  });

  it('requestFreshDevice() gives independent devices', async () => {
    const a = await requestFreshDevice();
    const b = await requestFreshDevice();
    expect(a).not.toBe(b);
    a.destroy();
    b.destroy();
  });
});
