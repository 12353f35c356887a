// SPDX-License-Identifier: Apache-2.0
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { isLlvmpipeAdapter, isSoftwareAdapter } from './tfjs-setup.js';

describe('configureTfjs on the test machine (Dawn + lavapipe)', () => {
  beforeAll(async () => {
    expect(await tf.setBackend('webgpu')).toBe(true);
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it('recognises software adapters by vendor, architecture or description, and nothing else', () => {
    expect(isSoftwareAdapter({ vendor: 'google', architecture: 'swiftshader' })).toBe(true);
    expect(isSoftwareAdapter({ vendor: 'mesa', architecture: 'software' })).toBe(true);
    expect(isSoftwareAdapter({ description: 'llvmpipe (LLVM 19.1.7, 256 bits)' })).toBe(true);
    expect(isSoftwareAdapter({ vendor: 'nvidia', architecture: 'ampere' })).toBe(false);
    expect(isSoftwareAdapter({ vendor: 'apple', architecture: 'metal-3' })).toBe(false);
    expect(isSoftwareAdapter(undefined)).toBe(false);
  });

  it('recognises lavapipe (where guided-ig-step keeps private arrays), also from the vendor and architecture tfjs reports', () => {
    expect(isLlvmpipeAdapter({ vendor: 'mesa', architecture: 'software' })).toBe(true);
    expect(isLlvmpipeAdapter({ description: 'llvmpipe (LLVM 19.1.7, 256 bits)' })).toBe(true);
    expect(isLlvmpipeAdapter({ vendor: 'google', architecture: 'swiftshader' })).toBe(false);
    expect(isLlvmpipeAdapter({ vendor: 'mesa', architecture: 'rdna-3' })).toBe(false);
    expect(isLlvmpipeAdapter(undefined)).toBe(false);
    // The test machine's adapter, as tfjs describes it.
    expect(isLlvmpipeAdapter((tf.backend() as unknown as { adapterInfo: { vendor: string; architecture: string } }).adapterInfo)).toBe(
      true,
    );
  });

  it('turns on im2col convolutions on a software adapter, and they agree with the cpu backend', async () => {
    const info = (tf.backend() as unknown as { adapterInfo: { vendor: string; architecture: string } }).adapterInfo;
    expect(isSoftwareAdapter(info)).toBe(true);
    const xValues = Float32Array.from({ length: 3 * 12 * 12 * 2 }, (_, i) => Math.sin(i * 0.37));
    const wValues = Float32Array.from({ length: 3 * 3 * 2 * 8 }, (_, i) => Math.cos(i * 0.61));
    const conv = () => tf.tidy(() => tf.conv2d(tf.tensor4d(xValues, [3, 12, 12, 2]), tf.tensor4d(wValues, [3, 3, 2, 8]), 1, 'same'));
    const gpu = conv();
    expect(tf.env().getBool('WEBGPU_CONV_SEPARATE_IM2COL_SHADER')).toBe(true);
    const gpuValues = await gpu.data();
    gpu.dispose();
    await tf.setBackend('cpu');
    const cpu = conv();
    const cpuValues = await cpu.data();
    cpu.dispose();
    let maxDiff = 0;
    for (let i = 0; i < cpuValues.length; i++) maxDiff = Math.max(maxDiff, Math.abs(cpuValues[i]! - gpuValues[i]!));
    expect(maxDiff).toBeLessThan(1e-5);
    await tf.setBackend('webgpu');
  });
});
