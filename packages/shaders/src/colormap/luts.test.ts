// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { COLORMAPS, colormapLut, isColormapName, unpackRgba } from './luts.js';

describe('colormap LUTs (matplotlib data)', () => {
  it('has 256 opaque entries per map', () => {
    for (const [name, { lut }] of Object.entries(COLORMAPS)) {
      expect(lut.length, name).toBe(256);
      expect(
        lut.every((c) => c >>> 24 === 255),
        name,
      ).toBe(true);
    }
  });

  it("matches matplotlib's published endpoints", () => {
    // viridis / inferno endpoints from matplotlib's _cm_listed.py (x 255, rounded).
    expect(unpackRgba(COLORMAPS.viridis.lut[0]!)).toEqual([68, 1, 84, 255]);
    expect(unpackRgba(COLORMAPS.viridis.lut[255]!)).toEqual([253, 231, 37, 255]);
    expect(unpackRgba(COLORMAPS.inferno.lut[0]!)).toEqual([0, 0, 4, 255]);
    expect(unpackRgba(COLORMAPS.inferno.lut[255]!)).toEqual([252, 255, 164, 255]);
    // jet (_jet_data): dark blue -> dark red.
    expect(unpackRgba(COLORMAPS.jet.lut[0]!)).toEqual([0, 0, 128, 255]);
    expect(unpackRgba(COLORMAPS.jet.lut[255]!)).toEqual([128, 0, 0, 255]);
    // RdBu runs red -> near-white -> blue; PiYG pink -> near-white -> green.
    const [r0, , b0] = unpackRgba(COLORMAPS.RdBu.lut[0]!);
    const [r1, , b1] = unpackRgba(COLORMAPS.RdBu.lut[255]!);
    expect(r0).toBeGreaterThan(b0);
    expect(b1).toBeGreaterThan(r1);
    expect(Math.min(...unpackRgba(COLORMAPS.RdBu.lut[128]!).slice(0, 3))).toBeGreaterThan(230);
    expect(Math.min(...unpackRgba(COLORMAPS.PiYG.lut[128]!).slice(0, 3))).toBeGreaterThan(230);
  });

  it('colormapLut copies into a Uint32Array; isColormapName rejects unknown names', () => {
    expect(colormapLut('turbo')).toBeInstanceOf(Uint32Array);
    expect(isColormapName('RdBu')).toBe(true);
    expect(isColormapName('hot')).toBe(false);
    expect(isColormapName('toString')).toBe(false);
  });
});
