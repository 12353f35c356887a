// SPDX-License-Identifier: Apache-2.0
import { expect } from 'vitest';

/** numpy `allclose` semantics: |a - b| <= abs + rel * |b|. Same shape as @webxai/shaders' Tolerance. */
export interface AllCloseTolerance {
  readonly abs: number;
  readonly rel: number;
}

interface AllCloseMatchers<R = unknown> {
  /** numpy-style allclose; on failure reports how many elements failed and the worst one. */
  toBeAllClose(expected: ArrayLike<number>, tolerance: AllCloseTolerance): R;
}

declare module 'vitest' {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- must repeat vitest's own declaration (`T = any`) to merge with it
  interface Assertion<T = any> extends AllCloseMatchers<T> {}
  interface AsymmetricMatchersContaining extends AllCloseMatchers {}
}

/** The comparison behind toBeAllClose, usable outside `expect` (e.g. in benchmarks). */
export function compareAllClose(received: ArrayLike<number>, expected: ArrayLike<number>, { abs, rel }: AllCloseTolerance) {
  if (received.length !== expected.length) {
    return { pass: false, message: `length ${received.length} != expected ${expected.length}` };
  }
  let worst = -1;
  let worstExcess = 0;
  let failures = 0;
  let maxAbsError = 0;
  for (let i = 0; i < received.length; i++) {
    const a = received[i]!;
    const b = expected[i]!;
    const error = Math.abs(a - b);
    const excess = error - (abs + rel * Math.abs(b));
    if (Object.is(a, b) || a === b) continue;
    if (error > maxAbsError || Number.isNaN(error)) maxAbsError = error;
    if (!(excess <= 0)) {
      failures++;
      if (worst < 0 || excess > worstExcess || Number.isNaN(excess)) {
        worst = i;
        worstExcess = excess;
      }
    }
  }
  return {
    pass: failures === 0,
    maxAbsError,
    message:
      failures === 0
        ? `all ${received.length} elements within abs=${abs} rel=${rel} (max |error| ${maxAbsError})`
        : `${failures}/${received.length} elements outside abs=${abs} rel=${rel}; ` +
          `worst at [${worst}]: got ${received[worst]}, want ${expected[worst]} (|error| ${Math.abs(received[worst]! - expected[worst]!)})`,
  };
}

expect.extend({
  toBeAllClose(received: ArrayLike<number>, expected: ArrayLike<number>, tolerance: AllCloseTolerance) {
    const result = compareAllClose(received, expected, tolerance);
    return { pass: result.pass, message: () => result.message };
  },
});
