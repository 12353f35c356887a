// SPDX-License-Identifier: Apache-2.0
// Copies the host batch writers share (perturb-cpu.ts, span-composer.ts).

/** out[offset + i] = src[i] for i in [start, end): a loop for short spans, set() (memcpy) for long ones. */
export function copySpan(out: Float32Array, src: Float32Array, start: number, end: number, offset: number): void {
  if (end - start < 64) {
    for (let i = start; i < end; i++) out[offset + i] = src[i]!;
  } else {
    out.set(src.subarray(start, end), offset + start);
  }
}

/** The HWC values `hwc` as planes (CHW). */
export function toPlanar(hwc: Float32Array, pixels: number, channels: number): Float32Array {
  const out = new Float32Array(hwc.length);
  for (let c = 0; c < channels; c++) for (let p = 0; p < pixels; p++) out[c * pixels + p] = hwc[p * channels + c]!;
  return out;
}
