// SPDX-License-Identifier: Apache-2.0
import { describe, expect } from 'vitest';
import { countSubmits, gpuTest, seededF32 } from '@webxai/testing';
import { BufferUsage, createBuffer, liveBufferCount, readFloat32, releaseBuffer, uploadBuffer } from './buffers.js';
import { runKernelSync, type DispatchSink } from './kernel-sync.js';
import { affine } from '../elementwise/affine.kernel.js';
import { affineRef } from '../elementwise/affine.ref.js';
import { InvalidOptionError } from './errors.js';

/** A sink over one command encoder the test owns and submits itself, counting what was recorded. */
function encoderSink(device: GPUDevice) {
  const encoder = device.createCommandEncoder({ label: 'sink' });
  const uniforms: GPUBuffer[] = [];
  let pass: GPUComputePassEncoder | undefined;
  let recorded = 0;
  const sink: DispatchSink = {
    computePass: () => (pass ??= encoder.beginComputePass({ label: 'sink' })),
    uniformBinding: (data, label) => {
      const buffer = device.createBuffer({ label, size: data.byteLength, usage: BufferUsage.UNIFORM | BufferUsage.COPY_DST });
      device.queue.writeBuffer(buffer, 0, data);
      uniforms.push(buffer);
      return { buffer };
    },
    recorded: () => void recorded++,
  };
  const submit = () => {
    pass?.end();
    device.queue.submit([encoder.finish()]);
    uniforms.forEach((b) => b.destroy()); // WebGPU destroys them once the submitted work is done
  };
  return { sink, submit, recorded: () => recorded, uniformCount: () => uniforms.length };
}

describe('runKernelSync into a DispatchSink', () => {
  gpuTest('records in order into the owner stream, submits nothing itself, and gives the same values', async ({ device }) => {
    const n = 1000;
    const values = seededF32(n, 4, -3, 3);
    const input = uploadBuffer(device, values, 'input');
    const middle = createBuffer(device, n * 4, 'middle');
    const output = createBuffer(device, n * 4, 'output');
    const { sink, submit, recorded, uniformCount } = encoderSink(device);

    // Two dispatches in one pass, the second reading what the first wrote, each with its own uniform:
    // were they sharing one uniform buffer, both would run with the last values written.
    const { submits } = await countSubmits(async () => {
      await runKernelSync(device, affine, { params: { count: n, scale: 2, offset: 1 }, input, output: middle }, sink);
      await runKernelSync(device, affine, { params: { count: n, scale: -0.5, offset: 4 }, input: middle, output }, sink);
    });
    expect(submits).toBe(0);
    expect([recorded(), uniformCount()]).toEqual([2, 2]);
    submit();

    const expected = affineRef(affineRef(values, 2, 1), -0.5, 4);
    expect(await readFloat32(device, output, n)).toBeAllClose(expected, affine.tolerance);
    [input, middle, output].forEach((b) => releaseBuffer(device, b));
    expect(liveBufferCount(device)).toBe(0);
  });

  gpuTest('checks the arguments before touching the sink', ({ device }) => {
    const buffer = createBuffer(device, 16, 'b');
    const { sink, recorded, uniformCount, submit } = encoderSink(device);
    expect(() =>
      runKernelSync(device, affine, { params: { count: 4, scale: NaN, offset: 0 }, input: buffer, output: buffer }, sink),
    ).toThrow(InvalidOptionError);
    expect([recorded(), uniformCount()]).toEqual([0, 0]);
    submit();
    releaseBuffer(device, buffer);
  });
});
