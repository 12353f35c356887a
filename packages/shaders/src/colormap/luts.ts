// SPDX-License-Identifier: Apache-2.0
import { INFERNO_LUT, JET_LUT, PIYG_LUT, RDBU_LUT, TURBO_LUT, VIRIDIS_LUT } from './luts.generated.js';

/** Colormaps with a 256-entry LUT (matplotlib's definitions; see generate-luts.mjs). */
export type ColormapName = 'viridis' | 'inferno' | 'turbo' | 'jet' | 'RdBu' | 'PiYG';

/** Every {@link ColormapName}; `diverging` ones suit signed ('both') maps. */
export const COLORMAPS: Readonly<Record<ColormapName, { readonly lut: readonly number[]; readonly diverging: boolean }>> = {
  viridis: { lut: VIRIDIS_LUT, diverging: false },
  inferno: { lut: INFERNO_LUT, diverging: false },
  turbo: { lut: TURBO_LUT, diverging: false },
  jet: { lut: JET_LUT, diverging: false },
  RdBu: { lut: RDBU_LUT, diverging: true },
  PiYG: { lut: PIYG_LUT, diverging: true },
};

/** True if `name` is a known colormap. */
export function isColormapName(name: unknown): name is ColormapName {
  return typeof name === 'string' && Object.hasOwn(COLORMAPS, name);
}

/** The colormap's LUT as a Uint32Array of packed RGBA8 (r in the low byte), ready to upload. */
export function colormapLut(name: ColormapName): Uint32Array<ArrayBuffer> {
  return Uint32Array.from(COLORMAPS[name].lut);
}

/** Unpacks a pack4x8unorm colour into [r, g, b, a] bytes. */
export function unpackRgba(packed: number): [number, number, number, number] {
  return [packed & 0xff, (packed >>> 8) & 0xff, (packed >>> 16) & 0xff, packed >>> 24];
}

/** Packs [r, g, b, a] bytes (0..255) as pack4x8unorm does. */
export function packRgba(r: number, g: number, b: number, a = 255): number {
  return ((a << 24) | (b << 16) | (g << 8) | r) >>> 0;
}
