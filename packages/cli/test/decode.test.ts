// SPDX-License-Identifier: Apache-2.0
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { decodeImage, ImageDecodeError } from '../src/images/decode.js';

const RGB = { width: 8, height: 8, channels: 3 };
const GREY = { width: 8, height: 8, channels: 1 };
const MAX = 100_000_000;
let dir: string;

/** A w x h image, left half red, right half blue. */
function halves(w: number, h: number): Buffer {
  const data = Buffer.alloc(w * h * 3);
  for (let p = 0; p < w * h; p++) data.set(p % w < w / 2 ? [255, 0, 0] : [0, 0, 255], p * 3);
  return data;
}

const solid = (r: number, g: number, b: number, channels: 3 | 4 = 3) =>
  sharp({ create: { width: 20, height: 10, channels, background: channels === 4 ? { r, g, b, alpha: 0.5 } : { r, g, b } } });

/** A PNG whose header claims `w` x `h` pixels (the data is a stub): what a decompression bomb looks like. */
function pngClaiming(w: number, h: number): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (b: Buffer) => {
    let c = 0xffffffff;
    for (const byte of b) c = crcTable[(c ^ byte) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(8 + data.length + 4);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc(body), 8 + data.length);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.alloc(16))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

async function failure(file: string, size = RGB): Promise<string> {
  const error = await decodeImage(join(dir, file), size, 'crop', MAX).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ImageDecodeError);
  return (error as Error).message;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'webxai-decode-'));
  const red = solid(255, 0, 0);
  await red.clone().png().toFile(join(dir, 'red.png'));
  await red.clone().jpeg({ quality: 95 }).toFile(join(dir, 'red.jpg'));
  await red.clone().webp({ lossless: true }).toFile(join(dir, 'red.webp'));
  await red.clone().tiff({ compression: 'lzw' }).toFile(join(dir, 'red.tiff'));
  // A two-frame GIF: red then blue; only the first frame counts.
  const frames = Buffer.concat([
    Buffer.alloc(20 * 10 * 4, Buffer.from([255, 0, 0, 255])),
    Buffer.alloc(20 * 10 * 4, Buffer.from([0, 0, 255, 255])),
  ]);
  await sharp(frames, { raw: { width: 20, height: 20, channels: 4, pageHeight: 10 } })
    .gif()
    .toFile(join(dir, 'red-then-blue.gif'));
  await solid(0, 255, 0, 4).png().toFile(join(dir, 'green-alpha.png'));
  // 16-bit RGB PNG, mid grey (32768 of 65535).
  await sharp(new Uint16Array(20 * 10 * 3).fill(32768), { raw: { width: 20, height: 10, channels: 3 } })
    .toColourspace('rgb16')
    .png()
    .toFile(join(dir, 'grey-16bit.png'));
  await red.clone().toColourspace('cmyk').jpeg().toFile(join(dir, 'red-cmyk.jpg'));
  await sharp(halves(40, 20), { raw: { width: 40, height: 20, channels: 3 } })
    .png()
    .toFile(join(dir, 'halves.png'));
  writeFileSync(join(dir, 'empty.png'), '');
  writeFileSync(join(dir, 'corrupt.jpg'), Buffer.from('this is not a JPEG at all, just text'));
  writeFileSync(join(dir, 'truncated.png'), readFileSync(join(dir, 'halves.png')).subarray(0, 60));
  writeFileSync(join(dir, 'huge.png'), pngClaiming(100_000, 100_000));
});

describe('decodeImage', () => {
  it("reads PNG, JPEG, WebP, TIFF and a GIF's first frame into [0, 1] RGB at the model size", async () => {
    for (const file of ['red.png', 'red.jpg', 'red.webp', 'red.tiff', 'red-then-blue.gif']) {
      const image = await decodeImage(join(dir, file), RGB, 'crop', MAX);
      expect([image.width, image.height, image.channels, image.pixels.length]).toEqual([8, 8, 3, 192]);
      const tolerance = file.endsWith('.jpg') ? 0.03 : file.endsWith('.gif') ? 2 / 255 : 1e-6; // lossy JPEG, GIF palette
      for (let p = 0; p < 64; p++) {
        expect(Math.abs(image.pixels[p * 3]! - 1)).toBeLessThanOrEqual(tolerance);
        expect(image.pixels[p * 3 + 2]!).toBeLessThanOrEqual(tolerance);
      }
    }
    const gif = await decodeImage(join(dir, 'red-then-blue.gif'), RGB, 'crop', MAX);
    expect(gif.source.notes).toContain('first of 2 frames');
  });

  it('converts CMYK to sRGB and reads 16-bit at full precision, drops alpha, and makes grey or RGB as the model needs', async () => {
    const cmyk = await decodeImage(join(dir, 'red-cmyk.jpg'), RGB, 'crop', MAX);
    expect(cmyk.source.notes).toContain('CMYK converted to sRGB with a generic CMYK profile (none embedded: colours approximate)');
    expect(cmyk.pixels[0]!).toBeGreaterThan(0.85); // red stays red through the round trip
    expect(cmyk.pixels[2]!).toBeLessThan(0.2);
    expect((await sharp(join(dir, 'grey-16bit.png')).metadata()).depth).toBe('ushort');
    const deep = await decodeImage(join(dir, 'grey-16bit.png'), RGB, 'crop', MAX);
    expect(deep.source.notes).toContain('16-bit samples read at full precision (no 8-bit rounding)');
    // 20x10 -> 8x8 through sharp's resize: measured 0.49928 for 0.50001 (the 8-bit path gave 128/255 = 0.50196).
    expect(Math.abs(deep.pixels[0]! - 32768 / 65535)).toBeLessThan(1e-3);
    const alpha = await decodeImage(join(dir, 'green-alpha.png'), RGB, 'crop', MAX);
    expect(alpha.source.notes).toContain('alpha dropped');
    expect(alpha.pixels.length).toBe(192);
    const grey = await decodeImage(join(dir, 'red.png'), GREY, 'crop', MAX);
    expect(grey.pixels.length).toBe(64);
    expect(grey.pixels[0]!).toBeCloseTo(0.498, 2); // pure red's luminance (0.2126 linear), sRGB-encoded
    const greyToRgb = await decodeImage(join(dir, 'grey-16bit.png'), RGB, 'crop', MAX);
    expect(greyToRgb.pixels[0]).toBe(greyToRgb.pixels[1]);
  });

  it('16-bit PNG: every sample reaches the model exactly (v / 65535), RGB and grey; 8-bit would be off by up to 1/255', async () => {
    const [w, h] = [16, 8];
    const samples = Uint16Array.from({ length: w * h * 3 }, (_, i) => (i * 997) % 65536);
    await sharp(samples, { raw: { width: w, height: h, channels: 3 } })
      .toColourspace('rgb16')
      .png()
      .toFile(join(dir, 'ramp-16bit.png'));
    const rgb = await decodeImage(join(dir, 'ramp-16bit.png'), { width: w, height: h, channels: 3 }, 'fill', MAX);
    expect(rgb.pixels).toBeAllClose(
      Float32Array.from(samples, (v) => v / 65535),
      { abs: 1e-7, rel: 0 },
    );
    const grey = await decodeImage(join(dir, 'ramp-16bit.png'), { width: w, height: h, channels: 1 }, 'fill', MAX);
    const levels = new Set(Array.from(grey.pixels, (v) => Math.round(v * 65535)));
    expect(levels.size).toBeGreaterThan(100); // 16-bit grey levels, not 256 at most... of 128 pixels: nearly all distinct
  });

  it('CMYK JPEG with an embedded profile: colour-managed sRGB close to the original (CMYK is no lossless round trip)', async () => {
    const [w, h] = [32, 16];
    // In-gamut colours (CMYK cannot hold saturated sRGB): a ramp of mid tones.
    const rgb = Buffer.alloc(w * h * 3);
    for (let p = 0; p < w * h; p++)
      rgb.set([80 + Math.round((100 * (p % w)) / (w - 1)), 80 + Math.round((100 * Math.floor(p / w)) / (h - 1)), 128], p * 3);
    await sharp(rgb, { raw: { width: w, height: h, channels: 3 } })
      .withIccProfile('cmyk')
      .jpeg({ quality: 95 })
      .toFile(join(dir, 'ramp-cmyk-icc.jpg'));
    const meta = await sharp(join(dir, 'ramp-cmyk-icc.jpg')).metadata();
    expect([meta.space, meta.hasProfile]).toEqual(['cmyk', true]);
    const image = await decodeImage(join(dir, 'ramp-cmyk-icc.jpg'), { width: w, height: h, channels: 3 }, 'fill', MAX);
    expect(image.source.notes).toContain('CMYK converted to sRGB with its embedded ICC profile');
    const errors = Array.from(image.pixels, (v, i) => Math.abs(v * 255 - rgb[i]!));
    // Measured: max 15, mean 6.0 of 255 (an sRGB JPEG at the same quality: max 4).
    expect(Math.max(...errors)).toBeLessThanOrEqual(20);
    expect(errors.reduce((a, b) => a + b) / errors.length).toBeLessThan(8);
  });

  it('crops to the centre, fits with black bars, or fills', async () => {
    const size = { width: 4, height: 4, channels: 3 };
    // 40x20, left half red: crop keeps x 10..30 (half red, half blue); fit letterboxes rows 0 and 3.
    const crop = await decodeImage(join(dir, 'halves.png'), size, 'crop', MAX);
    expect([crop.pixels[0], crop.pixels[2], crop.pixels[3 * 3], crop.pixels[3 * 3 + 2]]).toEqual([1, 0, 0, 1]);
    const fit = await decodeImage(join(dir, 'halves.png'), size, 'fit', MAX);
    expect(Array.from(fit.pixels.subarray(0, 12))).toEqual(new Array(12).fill(0)); // first row: bar
    expect(fit.pixels[4 * 3]).toBe(1); // second row starts red
    const fill = await decodeImage(join(dir, 'halves.png'), size, 'fill', MAX);
    expect([fill.pixels[0], fill.pixels[3 * 3 + 2]]).toEqual([1, 1]);
  });

  it('reports empty, corrupt, truncated and huge files instead of throwing something generic', async () => {
    expect(await failure('empty.png')).toBe('empty file (0 bytes)');
    expect(await failure('corrupt.jpg')).toMatch(/^not a readable image: .*unsupported image format/);
    expect(await failure('truncated.png')).toMatch(/^(not a readable image|cannot decode)/);
    expect(await failure('huge.png')).toBe('100000x100000 = 10000000000 pixels is more than --max-pixels 100000000');
    expect(await failure('missing.png')).toBe('cannot read: ENOENT');
  });
});
