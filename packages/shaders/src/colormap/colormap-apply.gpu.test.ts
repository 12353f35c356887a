// SPDX-License-Identifier: Apache-2.0
import { describe, expect } from 'vitest';
import { gpuTest, seededF32 } from '@webxai/testing';
import { runKernel } from '../runtime/kernel.js';
import { createBuffer, liveBufferCount, readUint32, releaseBuffer, uploadBuffer } from '../runtime/buffers.js';
import { colormapApply } from './colormap-apply.kernel.js';
import { colormapApplyRef, colormapIndexRef, colormapScale } from './colormap-apply.ref.js';
import { COLORMAPS, colormapLut, unpackRgba, type ColormapName } from './luts.js';
import { SIGN_CODE, type SignMode } from './sign.ref.js';

const SIZES = [
  { count: 1, why: 'one element' },
  { count: 200, why: 'less than one workgroup' },
  { count: 1000, why: 'ragged last workgroup' },
  { count: 224 * 224, why: 'a 224x224 attribution map' },
];

function channels(packed: Uint32Array): number[] {
  return Array.from(packed).flatMap(unpackRgba);
}

async function gpuColors(
  device: GPUDevice,
  values: Float32Array<ArrayBuffer>,
  name: ColormapName,
  sign: SignMode,
  scale: number,
  reversed: boolean,
) {
  const src = uploadBuffer(device, values, 'values');
  const lut = uploadBuffer(device, colormapLut(name), 'lut');
  const colors = createBuffer(device, values.length * 4, 'colors');
  await runKernel(device, colormapApply, {
    params: { count: values.length, sign: SIGN_CODE[sign], scale, reversed: reversed ? 1 : 0 },
    values: src,
    lut,
    colors,
  });
  const out = await readUint32(device, colors, values.length);
  [src, lut, colors].forEach((b) => releaseBuffer(device, b));
  return out;
}

describe('colormap-apply', () => {
  const cases = SIZES.flatMap((s, i) =>
    (Object.keys(COLORMAPS) as ColormapName[]).map((name, j) => ({
      ...s,
      name,
      sign: (['positive', 'negative', 'absolute', 'both'] as const)[(i + j) % 4]!,
      reversed: (i + j) % 3 === 0,
    })),
  );
  gpuTest.for(cases)(
    'matches colormapApplyRef: $count ($why), $name, sign $sign, reversed $reversed',
    async ({ count, name, sign, reversed }, { device }) => {
      const values = seededF32(count, count + name.length, -1.2, 1.2); // some beyond the clip, to saturate
      const scale = colormapScale(0.9, sign);
      const gpu = await gpuColors(device, values, name, sign, scale, reversed);
      const ref = colormapApplyRef(values, COLORMAPS[name].lut, sign, scale, reversed);
      expect(channels(gpu)).toBeAllClose(channels(ref), colormapApply.tolerance);
      expect(liveBufferCount(device)).toBe(0);
    },
  );

  gpuTest('hits every LUT entry exactly on a ramp across the clip range', async ({ device }) => {
    const values = Float32Array.from({ length: 256 }, (_, k) => (k + 0.5) / 256); // centres of the 256 bins of [0, 1]
    const gpu = await gpuColors(device, values, 'turbo', 'positive', colormapScale(1, 'positive'), false);
    expect(Array.from(gpu)).toEqual(Array.from(COLORMAPS.turbo.lut));
  });

  gpuTest('signed map: 0 sits at the centre, -clip at index 0, +clip at 255', () => {
    const scale = colormapScale(2, 'both');
    expect(colormapIndexRef(0, 'both', scale)).toBe(128);
    expect(colormapIndexRef(-2, 'both', scale)).toBe(0);
    expect(colormapIndexRef(2, 'both', scale)).toBe(255);
    expect(colormapIndexRef(1e9, 'both', scale)).toBe(255);
    expect(colormapIndexRef(0.5, 'positive', 0)).toBe(0); // clip 0 -> scale 0
  });
});
