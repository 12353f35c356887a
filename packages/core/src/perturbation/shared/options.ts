// SPDX-License-Identifier: Apache-2.0
import { InvalidOptionError } from '@webxai/shaders';

/** An integer option in [min, max], or its default; throws InvalidOptionError naming the option. */
export function intOption(method: string, name: string, value: number | undefined, fallback: number, min = 1, max = Number.MAX_SAFE_INTEGER): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new InvalidOptionError(`${method}: ${name} must be an integer in [${min}, ${max === Number.MAX_SAFE_INTEGER ? '∞' : max}], got ${String(value)}`);
  }
  return v;
}

/** A finite number option in [min, max] (inclusive unless `open`). */
export function numberOption(
  method: string,
  name: string,
  value: number | undefined,
  fallback: number,
  min = -Infinity,
  max = Infinity,
  open = false,
): number {
  const v = value ?? fallback;
  const ok = typeof v === 'number' && Number.isFinite(v) && (open ? v > min && v < max : v >= min && v <= max);
  if (!ok) throw new InvalidOptionError(`${method}: ${name} must be a finite number in ${open ? '(' : '['}${min}, ${max}${open ? ')' : ']'}, got ${String(value)}`);
  return v;
}

/** A pair option given as one number or [y, x]. */
export function pairOption(method: string, name: string, value: number | readonly [number, number] | undefined, fallback: [number, number]): [number, number] {
  if (value === undefined) return fallback;
  const pair = typeof value === 'number' ? [value, value] : value;
  if (!Array.isArray(pair) || pair.length !== 2 || !pair.every((v) => Number.isInteger(v) && v >= 1)) {
    throw new InvalidOptionError(`${method}: ${name} must be a positive integer or [height, width] of positive integers, got ${JSON.stringify(value)}`);
  }
  return [pair[0]!, pair[1]!];
}

/** The seed option: an integer in [0, 2^53) (default 0). */
export function seedOption(method: string, value: number | undefined): number {
  const v = value ?? 0;
  if (!Number.isSafeInteger(v) || v < 0) throw new InvalidOptionError(`${method}: seed must be an integer in [0, 2^53), got ${String(value)}`);
  return v;
}

/** Default images per model call: about 64 MB of input, between 1 and 64. */
export function defaultBatchSize(height: number, width: number, channels: number): number {
  return Math.max(1, Math.min(64, Math.floor((64 * 2 ** 20) / (height * width * channels * 4))));
}
