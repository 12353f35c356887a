// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { seededF32, seededInts } from '@webxai/testing';
import { perturbBatchRef } from '@webxai/shaders';
import { nhwcToNchw } from '../../model/onnx/from-onnx.js';
import { CpuPerturber } from './perturb-cpu.js';

describe('CpuPerturber', () => {
  const [h, w, c, segments, count] = [9, 13, 3, 7, 5];
  const pixels = h * w;
  const image = seededF32(pixels * c, 1, -1, 1);
  const fill = seededF32(pixels * c, 2, -1, 1);
  // spatially coherent labels (runs) with a few stray pixels
  const labels = Int32Array.from({ length: pixels }, (_, p) => (p % 17 === 0 ? 6 : Math.floor((p % w) / 4) + 3 * Math.floor(p / w / 5)));
  const binary = new Float32Array(seededInts((count + 1) * segments, 3, 0, 2));
  const fractional = seededF32((count + 1) * pixels, 4, 0, 1);
  fractional.fill(1, pixels, pixels + 10);
  fractional.fill(0, pixels + 10, pixels + 20);

  it.for(['nhwc', 'nchw'] as const)('equals perturbBatchRef bit for bit (%s)', (layout) => {
    /** CpuPerturber against perturbBatchRef for one segment map (or none), fill and mask matrix. */
    const agrees = (segments: Int32Array | undefined, fillImage: Float32Array, masks: Float32Array, maskStride: number) => {
      const got = new CpuPerturber(image, fillImage, segments, pixels, c, w).write(
        new Float32Array(count * pixels * c),
        masks,
        maskStride,
        count,
        1,
        layout,
      );
      const ref = perturbBatchRef({
        image,
        fill: fillImage,
        masks,
        maskStride,
        pixels,
        channels: c,
        count,
        sampleOffset: 1,
        ...(segments && { segments }),
      });
      expect(Array.from(got)).toEqual(Array.from(layout === 'nchw' ? nhwcToNchw(ref, count, pixels, c) : ref));
    };
    agrees(labels, fill, binary, segments);
    agrees(undefined, fill, fractional, pixels);
    // One feature per pixel, numbered out of raster order (partition SHAP's pixel features in tree
    // order): runs of one pixel, written by the gathering pass.
    const scattered = Int32Array.from({ length: pixels }, (_, p) => (p * 7) % pixels);
    agrees(scattered, fill, new Float32Array(seededInts((count + 1) * pixels, 5, 0, 2)), pixels);
    agrees(undefined, new Float32Array(pixels * c), fractional, pixels); // RISE: the m * x fast path
  });

  it.for(['nhwc', 'nchw'] as const)('writes superpixel runs bit for bit, whichever source covers more (%s)', (layout) => {
    // Blocks of 8 x 16 pixels: runs of 16 pixels, long enough to be copied as runs (not gathered).
    const [bh, bw, blocks] = [16, 64, 8];
    const px = bh * bw;
    const blockLabels = Int32Array.from({ length: px }, (_, p) => 4 * Math.floor(p / bw / 8) + Math.floor((p % bw) / 16));
    const img = seededF32(px * c, 6, -1, 1);
    const fillImg = seededF32(px * c, 7, -1, 1);
    // Random rows, then rows where the image covers most pixels and where the fill does (either is
    // copied whole first, then the other's runs): all on, all off, one block on, one block off.
    const rows = 10;
    const masks = new Float32Array(rows * blocks);
    masks.set(seededInts(6 * blocks, 8, 0, 2), 0);
    masks.fill(1, 6 * blocks, 7 * blocks);
    masks[8 * blocks + 5] = 1;
    masks.fill(1, 9 * blocks, 10 * blocks);
    masks[9 * blocks + 2] = 0;
    const got = new CpuPerturber(img, fillImg, blockLabels, px, c, bw).write(
      new Float32Array((rows - 1) * px * c),
      masks,
      blocks,
      rows - 1,
      1,
      layout,
    );
    const ref = perturbBatchRef({
      image: img,
      fill: fillImg,
      masks,
      maskStride: blocks,
      pixels: px,
      channels: c,
      count: rows - 1,
      sampleOffset: 1,
      segments: blockLabels,
    });
    expect(Array.from(got)).toEqual(Array.from(layout === 'nchw' ? nhwcToNchw(ref, rows - 1, px, c) : ref));
  });

  it.for(['nhwc', 'nchw'] as const)('copies spans from image and fill staged beside the batch, bit for bit (%s)', (layout) => {
    const scattered = Int32Array.from({ length: pixels }, (_, p) => (p * 7) % pixels);
    const cases = [
      { segments: labels, masks: binary, stride: segments }, // runs
      { segments: scattered, masks: new Float32Array(seededInts((count + 1) * pixels, 5, 0, 2)), stride: pixels }, // gathered
    ];
    // A plain buffer (copyWithin), then one in a WebAssembly.Memory (span-compose.wat for the runs).
    for (const [{ segments: map, masks, stride }, inWasm] of cases.flatMap((k) => [[k, false] as const, [k, true] as const])) {
      const rows = 2;
      const perImage = pixels * c;
      const want = new CpuPerturber(image, fill, map, pixels, c, w);
      const staged = new CpuPerturber(image, fill, map, pixels, c, w);
      const floats = rows * perImage + staged.stagingLength;
      const memory = inWasm ? new WebAssembly.Memory({ initial: Math.ceil((floats * 4) / 65_536) }) : undefined;
      const whole = (memory ? new Float32Array(memory.buffer, 0, floats) : new Float32Array(floats)).fill(Number.NaN);
      const out = whole.subarray(0, rows * perImage);
      // Two batches of one loop (the second reuses the staged copies), then a new loop whose room
      // holds another image's values: staged again.
      const room = { whole, offset: rows * perImage, ...(memory && { memory }) };
      const loops = [room, undefined, { ...room }];
      let staging = loops[0]!;
      for (const [i, next] of loops.entries()) {
        if (i === 2) whole.fill(-7, rows * perImage);
        staging = next ?? staging;
        const got = Array.from(staged.write(out, masks, stride, rows, 1 + i, layout, staging));
        expect(got).toEqual(Array.from(want.write(new Float32Array(rows * perImage), masks, stride, rows, 1 + i, layout)));
        if (map === labels) expect(staged.lastWrite).toBe(inWasm ? 'wasm' : 'js');
      }
      const source = layout === 'nchw' ? nhwcToNchw(image, 1, pixels, c) : image;
      expect(Array.from(whole.subarray(rows * perImage, rows * perImage + perImage))).toEqual(Array.from(source));
    }
  });

  describe('with a batch kept between calls (batchKept)', () => {
    // Blocks of 8 x 16 pixels (runs of 16), as above; 2 images per batch.
    const [bh, bw, blocks, batch] = [16, 64, 8, 2];
    const px = bh * bw;
    const perImage = px * c;
    const blockLabels = Int32Array.from({ length: px }, (_, p) => 4 * Math.floor(p / bw / 8) + Math.floor((p % bw) / 16));
    const img = seededF32(px * c, 10, -1, 1);
    const fillImg = seededF32(px * c, 11, -1, 1);
    const bits = (values: Float32Array) => new Uint32Array(Float32Array.from(values).buffer);
    /** A batch buffer with the perturber's room after it, in a WebAssembly.Memory or not. */
    const room = (perturber: CpuPerturber, inWasm: boolean) => {
      const floats = batch * perImage + perturber.stagingLength;
      const memory = inWasm ? new WebAssembly.Memory({ initial: Math.ceil((floats * 4) / 65_536) }) : undefined;
      const whole = memory ? new Float32Array(memory.buffer, 0, floats) : new Float32Array(floats);
      return {
        out: whole.subarray(0, batch * perImage),
        staging: { whole, offset: batch * perImage, ...(memory && { memory }), batchKept: true },
      };
    };
    const cases = (['nhwc', 'nchw'] as const).flatMap((layout) => [[layout, false] as const, [layout, true] as const]);

    it.for(cases)('every batch equals a whole write, bit for bit (%s, in WebAssembly: %s)', ([layout, inWasm]) => {
      const rows = 13;
      const masks = new Float32Array(seededInts(rows * blocks, 12, 0, 2));
      masks[5 * blocks + 3] = 0.5; // a fractional row: written per pixel, its slot is written whole next time
      const perturber = new CpuPerturber(img, fillImg, blockLabels, px, c, bw);
      const fresh = new CpuPerturber(img, fillImg, blockLabels, px, c, bw);
      let { out, staging } = room(perturber, inWasm);
      for (let first = 0; first < rows; first += batch) {
        const count = Math.min(batch, rows - first);
        // A new loop (a new staging object) whose batch holds anything: written whole again.
        if (first === 8) [staging, out] = [{ ...staging }, out.fill(Number.NaN)];
        const got = perturber.write(out.subarray(0, count * perImage), masks, blocks, count, first, layout, staging);
        const want = fresh.write(new Float32Array(count * perImage), masks, blocks, count, first, layout);
        expect(bits(got)).toEqual(bits(want));
      }
    });

    it.for([true, false])('rewrites only the runs whose segment flipped (batchKept: %s)', (batchKept) => {
      // Row 0, then row 1 into the same slot: block 0 (pixel 0) is on in both.
      const masks = Float32Array.from([1, 0, 1, 0, 1, 0, 1, 0, 1, 1, 1, 1, 0, 0, 0, 0]);
      const perturber = new CpuPerturber(img, fillImg, blockLabels, px, c, bw);
      const { out, staging } = room(perturber, true);
      const kept = { ...staging, batchKept };
      perturber.write(out.subarray(0, perImage), masks, blocks, 1, 0, 'nchw', kept);
      out[0] = Number.NaN; // pixel 0, channel 0: block 0
      out[16] = Number.NaN; // pixel 16, channel 0: block 1, which turns on
      perturber.write(out.subarray(0, perImage), masks, blocks, 1, 1, 'nchw', kept);
      expect(Number.isNaN(out[0])).toBe(batchKept);
      expect(out[16]).toBe(Math.fround(img[16 * c]!));
    });
  });
});
