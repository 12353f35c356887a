// SPDX-License-Identifier: Apache-2.0
import { COLORMAPS, unpackRgba, type ColormapName, type SignMode } from '@webxai/shaders';
import { formatValue } from '../shared/events.js';

/** CSS linear-gradient of a colormap (17 stops), left to right as the colour bar shows it. */
export function colormapGradient(name: ColormapName, reversed: boolean): string {
  const lut = COLORMAPS[name].lut;
  const stops: string[] = [];
  for (let k = 0; k <= 16; k++) {
    const index = Math.min(255, k * 16);
    const [r, g, b] = unpackRgba(lut[reversed ? 255 - index : index]!);
    stops.push(`rgb(${r} ${g} ${b}) ${((k / 16) * 100).toFixed(2)}%`);
  }
  return `linear-gradient(to right, ${stops.join(', ')})`;
}

/** Tick labels under the colour bar: the value range the colours span. */
export function legendTicks(sign: SignMode, clip: number): string[] {
  const c = formatValue(clip);
  switch (sign) {
    case 'both':
      return [formatValue(-clip), '0', c];
    case 'negative':
      return ['0', formatValue(-clip)];
    case 'absolute':
      return ['0', `|${c}|`];
    default:
      return ['0', c];
  }
}
