// SPDX-License-Identifier: Apache-2.0
import { describe, expect } from 'vitest';
import { gpuTest, seededInts } from '@webxai/testing';
import { runKernel } from '../runtime/kernel.js';
import { createBuffer, liveBufferCount, readUint32, releaseBuffer, uploadBuffer } from '../runtime/buffers.js';
import { heatmapBlend } from './heatmap-blend.kernel.js';
import { BLEND_MODE_BLANK, BLEND_MODE_CODE, blendOutputWidth, heatmapBlendRef, type BlendMode } from './heatmap-blend.ref.js';
import { packRgba, unpackRgba } from './luts.js';

const SHAPES = [
  { width: 1, height: 1, why: 'one pixel' },
  { width: 10, height: 15, why: 'less than one workgroup' },
  { width: 33, height: 31, why: 'ragged last workgroup' },
  { width: 224, height: 224, why: 'a 224x224 image' },
];
const MODES: BlendMode[] = ['overlay', 'side-by-side', 'heatmap-only', 'masked', 'contour'];

function randomRgba(count: number, seed: number): Uint32Array<ArrayBuffer> {
  const bytes = seededInts(count * 4, seed, 0, 256);
  return Uint32Array.from({ length: count }, (_, i) => packRgba(bytes[4 * i]!, bytes[4 * i + 1]!, bytes[4 * i + 2]!, bytes[4 * i + 3]));
}

describe('heatmap-blend', () => {
  gpuTest.for(SHAPES.flatMap((s) => MODES.map((mode) => ({ ...s, mode }))))(
    'matches heatmapBlendRef within 1 LSB: $width x $height ($why), $mode',
    async ({ width, height, mode }, { device }) => {
      const count = width * height;
      const image = randomRgba(count, count);
      const colors = randomRgba(count, count + 1);
      const mask = Uint32Array.from(seededInts(count, count + 2, 0, 3));
      const contour = packRgba(255, 0, 255);
      const outWidth = blendOutputWidth(width, mode);
      const bufs = [uploadBuffer(device, image, 'image'), uploadBuffer(device, colors, 'colors'), uploadBuffer(device, mask, 'mask')];
      const output = createBuffer(device, outWidth * height * 4, 'output');
      await runKernel(device, heatmapBlend, {
        params: { width, height, mode: BLEND_MODE_CODE[mode], opacity: 0.37, contourColor: contour },
        image: bufs[0]!,
        colors: bufs[1]!,
        mask: bufs[2]!,
        output,
      });
      const gpu = await readUint32(device, output, outWidth * height);
      const ref = heatmapBlendRef(image, colors, mask, width, height, mode, 0.37, contour);
      expect(Array.from(gpu).flatMap(unpackRgba)).toBeAllClose(Array.from(ref).flatMap(unpackRgba), heatmapBlend.tolerance);
      [...bufs, output].forEach((b) => releaseBuffer(device, b));
      expect(liveBufferCount(device)).toBe(0);
    },
  );

  gpuTest('blank mode (width = output width) paints every pixel opaque black', async ({ device }) => {
    const [width, height] = [2 * 13, 7]; // a side-by-side output of a 13 x 7 map
    const count = width * height;
    const filler = randomRgba(count, 3);
    const bufs = [uploadBuffer(device, filler, 'image'), uploadBuffer(device, filler, 'colors'), uploadBuffer(device, filler, 'mask')];
    const output = uploadBuffer(device, filler, 'output');
    await runKernel(device, heatmapBlend, {
      params: { width, height, mode: BLEND_MODE_BLANK, opacity: 0.5, contourColor: 0 },
      image: bufs[0]!,
      colors: bufs[1]!,
      mask: bufs[2]!,
      output,
    });
    expect(Array.from(await readUint32(device, output, count))).toEqual(new Array<number>(count).fill(0xff000000));
    [...bufs, output].forEach((b) => releaseBuffer(device, b));
    expect(liveBufferCount(device)).toBe(0);
  });

  gpuTest('overlay with opacity 0 is the image and with opacity 1 the heat (opaque)', () => {
    const image = new Uint32Array([packRgba(10, 20, 30, 0)]);
    const heat = new Uint32Array([packRgba(200, 100, 50)]);
    expect(unpackRgba(heatmapBlendRef(image, heat, [0], 1, 1, 'overlay', 0, 0)[0]!)).toEqual([10, 20, 30, 255]);
    expect(unpackRgba(heatmapBlendRef(image, heat, [0], 1, 1, 'overlay', 1, 0)[0]!)).toEqual([200, 100, 50, 255]);
  });
});
