// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { seededF32 } from '@webxai/testing';
import { nhwcToNchw } from '../../model/onnx/from-onnx.js';
import type { HostStaging } from './evaluate.js';
import type { BatchLayout } from './perturb-cpu.js';
import { SpanComposer } from './span-composer.js';

/** The reference: the image on the pixels of `spans` (pairs), the fill elsewhere, in `layout`. */
function reference(
  image: Float32Array,
  fill: Float32Array,
  spans: readonly number[],
  pixels: number,
  channels: number,
  layout: BatchLayout,
) {
  const hwc = new Float32Array(pixels * channels);
  for (let p = 0; p < pixels; p++) {
    let on = false;
    for (let i = 0; i < spans.length; i += 2) on ||= p >= spans[i]! && p < spans[i + 1]!;
    for (let c = 0; c < channels; c++) hwc[p * channels + c] = (on ? image : fill)[p * channels + c]!;
  }
  return layout === 'nchw' ? nhwcToNchw(hwc, 1, pixels, channels) : hwc;
}

/** A batch buffer of `floats` in a WebAssembly.Memory (as host-batch-pool makes them) or a plain one. */
function wholeBuffer(floats: number, wasm: boolean): { whole: Float32Array; memory?: WebAssembly.Memory } {
  if (!wasm) return { whole: new Float32Array(floats) };
  const memory = new WebAssembly.Memory({ initial: Math.ceil((floats * 4) / 65_536) });
  return { whole: new Float32Array(memory.buffer, 0, floats), memory };
}

describe('SpanComposer', () => {
  const [pixels, w] = [7 * 9, 9];
  const spanLists: Record<string, number[]> = {
    none: [],
    everything: [0, pixels],
    'one pixel at each end': [0, 1, pixels - 1, pixels],
    'touching spans': [3, 8, 8, 9, 9, 20],
    'single pixels': [1, 2, 4, 5, 6, 7, 40, 41],
    rows: [w, 2 * w, 3 * w + 2, 5 * w - 1],
  };
  const cases = [1, 3].flatMap((channels) =>
    (['nhwc', 'nchw'] as const).flatMap((layout) => ['none', 'plain', 'wasm'].map((staging) => [channels, layout, staging] as const)),
  );

  it.for(cases)(
    'writes the image on the spans and the fill elsewhere, bit for bit (%i channels, %s, staging: %s)',
    ([channels, layout, kind]) => {
      const perImage = pixels * channels;
      const image = seededF32(perImage, 3, -1, 1);
      const fill = seededF32(perImage, 4, -1, 1);
      fill[5] = -0; // bits, not values: -0 stays -0
      const composer = new SpanComposer(image, fill, pixels, channels);
      const lists = Object.values(spanLists);
      const rows = lists.length;
      // The batch is the second half of its buffer's batch area (a byte offset), staging after it.
      const offset = (rows + 1) * perImage;
      const { whole, memory } = wholeBuffer(offset + SpanComposer.stagingLength(pixels, channels), kind === 'wasm');
      whole.fill(Number.NaN);
      const out = whole.subarray(perImage, offset);
      // Two loops with their own staging (the second's room holds stale values): staged again.
      for (let loop = 0; loop < 2; loop++) {
        const staging: HostStaging | undefined = kind === 'none' ? undefined : { whole, offset, ...(memory && { memory }) };
        if (loop === 1) whole.fill(-7, offset);
        composer.begin(out, layout, staging);
        lists.forEach((spans, b) => {
          composer.spans.set(spans);
          composer.compose(b * perImage, spans.length / 2);
        });
        expect(composer.lastWrite).toBe(kind === 'wasm' ? 'wasm' : 'js');
        lists.forEach((spans, b) => {
          const got = out.subarray(b * perImage, (b + 1) * perImage);
          expect(new Uint32Array(Float32Array.from(got).buffer)).toEqual(
            new Uint32Array(reference(image, fill, spans, pixels, channels, layout).buffer),
          );
        });
        expect(whole[0]).toBeNaN(); // nothing before the batch
      }
    },
  );

  it('takes a span list as long as one pair per pixel', () => {
    const image = seededF32(pixels, 5, -1, 1);
    const fill = seededF32(pixels, 6, -1, 1);
    const composer = new SpanComposer(image, fill, pixels, 1);
    const { whole, memory } = wholeBuffer(pixels + SpanComposer.stagingLength(pixels, 1), true);
    const out = whole.subarray(0, pixels);
    composer.begin(out, 'nchw', { whole, offset: pixels, memory: memory! });
    const every = Array.from({ length: pixels }, (_, p) => [p, p + 1]).flat();
    composer.spans.set(every);
    composer.compose(0, pixels);
    expect(Array.from(out)).toEqual(Array.from(image));
  });
});
