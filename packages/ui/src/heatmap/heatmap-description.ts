// SPDX-License-Identifier: Apache-2.0
import type { AttributionStats, BlendMode, ColormapName, HeatmapInfo, SignMode } from '@webxai/shaders';
import { formatValue } from '../shared/events.js';
import type { AttributionMap } from '../shared/inputs.js';

/** The element's settings a description mentions. */
export interface DescribedSettings {
  readonly label: string;
  readonly mode: BlendMode;
  readonly colormap: ColormapName;
  readonly signed: SignMode;
  readonly clip: number;
  readonly range: number | undefined;
}

interface MapSize {
  readonly width: number;
  readonly height: number;
}

/** The text screen readers get for a map whose values are on the CPU: range, saturation, strongest pixel. */
export function describeMap(map: AttributionMap, info: HeatmapInfo, settings: DescribedSettings): string {
  let lo = Infinity;
  let hi = -Infinity;
  let peak = 0;
  for (let i = 0; i < map.values.length; i++) {
    const v = map.values[i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
    if (Math.abs(v) > Math.abs(map.values[peak]!)) peak = i;
  }
  return (
    describeRange(map, lo, hi, info, settings) +
    `Strongest attribution ${formatValue(map.values[peak]!)} at x ${peak % map.width}, y ${Math.floor(peak / map.width)}.`
  );
}

/**
 * The same text for a GPU-resident map, from the GPU reduction's numbers; they carry no position, so
 * the strongest value is named without its pixel.
 */
export function describeGpuMap(size: MapSize, stats: AttributionStats, info: HeatmapInfo, settings: DescribedSettings): string {
  const strongest = Math.abs(stats.min) > Math.abs(stats.max) ? stats.min : stats.max;
  return describeRange(size, stats.min, stats.max, info, settings) + `Strongest attribution ${formatValue(strongest)}.`;
}

function describeRange(size: MapSize, lo: number, hi: number, info: HeatmapInfo, settings: DescribedSettings): string {
  const name = settings.label ? `${settings.label} attribution` : 'Attribution';
  return (
    `${name} heatmap, ${size.width} by ${size.height} pixels, ${settings.mode}, colormap ${settings.colormap}, showing ${settings.signed} values. ` +
    `Values range from ${formatValue(lo)} to ${formatValue(hi)}; the colour scale saturates at ${formatValue(info.clipValue)}` +
    `${settings.range === undefined ? ` (${settings.clip}th percentile)` : ''}. `
  );
}
