// SPDX-License-Identifier: Apache-2.0
// The one set of option validators every method uses. Each returns the option's value (or its
// default when undefined) and otherwise throws an InvalidOptionError in one style:
// "<method>: <option> must be <rule>, got <value>".
import { InvalidOptionError } from '@webxai/shaders';

/** Largest seed: every seeded method draws from the Threefry streams, keyed by a seed in [0, 2^53). */
export const MAX_SEED = Number.MAX_SAFE_INTEGER;

/** Throws `<method>: <name> must be <rule>, got <value>` as an InvalidOptionError. */
export function rejectOption(method: string, name: string, rule: string, value: unknown): never {
  return rejectOptionAs(method, name, rule, describeValue(value));
}

/** {@link rejectOption} with what was received already described (e.g. `a disposed tensor`). */
export function rejectOptionAs(method: string, name: string, rule: string, got: string): never {
  throw new InvalidOptionError(`${method}: ${name} must be ${rule}, got ${got}`);
}

/** A value as a user would have typed it: strings quoted, arrays and plain objects as JSON. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value) || (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype)) {
    try {
      return JSON.stringify(value);
    } catch {
      return Array.isArray(value) ? value.join(',') : '[object Object]'; // what String() gives (a BigInt or a cycle inside)
    }
  }
  return String(value);
}

function rangeText(min: number, max: number, open: boolean): string {
  const [lo, hi] = open ? ['>', '<'] : ['>=', '<='];
  if (min === -Infinity && max === Infinity) return '';
  if (max === Infinity || max === Number.MAX_SAFE_INTEGER) return ` ${lo} ${min}`;
  if (min === -Infinity) return ` ${hi} ${max}`;
  return open ? ` in (${min}, ${max})` : ` in [${min}, ${max}]`;
}

/** `value` (or `fallback` when undefined) as an integer in [min, max]. */
export function integerOption(
  method: string,
  name: string,
  value: unknown,
  fallback: number,
  min = 1,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const v = value === undefined ? fallback : value;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max)
    rejectOption(method, name, `an integer${rangeText(min, max, false)}`, v);
  return v;
}

/** `value` (or `fallback`) as a finite number in [min, max], or in (min, max) when `open`. */
export function numberOption(
  method: string,
  name: string,
  value: unknown,
  fallback: number,
  min = -Infinity,
  max = Infinity,
  open = false,
): number {
  const v = value === undefined ? fallback : value;
  const inside = typeof v === 'number' && (open ? v > min && v < max : v >= min && v <= max);
  if (typeof v !== 'number' || !Number.isFinite(v) || !inside) rejectOption(method, name, `a finite number${rangeText(min, max, open)}`, v);
  return v;
}

/** `value` (or `fallback`) as a boolean. */
export function booleanOption(method: string, name: string, value: unknown, fallback: boolean): boolean {
  const v = value === undefined ? fallback : value;
  if (typeof v !== 'boolean') rejectOption(method, name, 'a boolean', v);
  return v;
}

/** `value` (or `fallback`) as one of `allowed`. */
export function choiceOption<T extends string>(method: string, name: string, value: unknown, fallback: T, allowed: readonly T[]): T {
  const v = value === undefined ? fallback : value;
  if (typeof v !== 'string' || !allowed.includes(v as T))
    rejectOption(method, name, `one of ${allowed.map((a) => `'${a}'`).join(', ')}`, v);
  return v as T;
}

/** A size given as one positive integer or [height, width] of positive integers. */
export function pairOption(method: string, name: string, value: unknown, fallback: [number, number]): [number, number] {
  if (value === undefined) return fallback;
  const pair: unknown = typeof value === 'number' ? [value, value] : value;
  if (!Array.isArray(pair) || pair.length !== 2 || !pair.every((v) => Number.isSafeInteger(v) && (v as number) >= 1)) {
    rejectOption(method, name, 'a positive integer or [height, width] of positive integers', value);
  }
  return [pair[0] as number, pair[1] as number];
}

/**
 * The seed of a seeded method: an integer in [0, 2^53) (default 0). Every seed keys the same
 * Threefry streams (shaders' random), so the same seed gives the same draws on GPU and CPU.
 */
export function seedOption(method: string, value: unknown): number {
  const v = value === undefined ? 0 : value;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) rejectOption(method, 'seed', 'an integer in [0, 2^53)', v);
  return v;
}

/** An optional callback option: undefined or a function. */
export function functionOption<F extends (...args: never[]) => unknown>(method: string, name: string, value: unknown): F | undefined {
  if (value !== undefined && typeof value !== 'function') rejectOption(method, name, 'a function', value);
  return value as F | undefined;
}

/** An optional AbortSignal option (anything with `aborted` and `addEventListener`, as in every runtime). */
export function signalOption(method: string, value: unknown): AbortSignal | undefined {
  if (value === undefined) return undefined;
  const ok =
    typeof value === 'object' &&
    value !== null &&
    typeof (value as AbortSignal).aborted === 'boolean' &&
    typeof (value as AbortSignal).addEventListener === 'function';
  if (!ok) rejectOption(method, 'signal', 'an AbortSignal', value);
  return value as AbortSignal;
}
