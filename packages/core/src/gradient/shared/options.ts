// SPDX-License-Identifier: Apache-2.0
import { InvalidOptionError } from '@webxai/shaders';

/** `value` (or `fallback` when undefined) as an integer in [min, max]; otherwise an InvalidOptionError naming `name`. */
export function integerOption(name: string, value: unknown, fallback: number, min = 1, max = Number.MAX_SAFE_INTEGER): number {
  const v = value === undefined ? fallback : value;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in [${min}, ${max}]`;
    throw new InvalidOptionError(`${name} must be an integer ${range}, got ${String(v)}`);
  }
  return v;
}

/** `value` (or `fallback`) as a finite number in [min, max]. */
export function numberOption(name: string, value: unknown, fallback: number, min = -Infinity, max = Infinity): number {
  const v = value === undefined ? fallback : value;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
    throw new InvalidOptionError(`${name} must be a finite number in [${min}, ${max}], got ${String(v)}`);
  }
  return v;
}

/** `value` (or `fallback`) as one of `allowed`. */
export function choiceOption<T extends string>(name: string, value: unknown, fallback: T, allowed: readonly T[]): T {
  const v = value === undefined ? fallback : value;
  if (typeof v !== 'string' || !allowed.includes(v as T)) {
    throw new InvalidOptionError(`${name} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${JSON.stringify(v)}`);
  }
  return v as T;
}

/** A seed: a 32-bit unsigned integer (default 0). */
export function seedOption(value: unknown): number {
  return integerOption('seed', value, 0, 0, 2 ** 32 - 1);
}
