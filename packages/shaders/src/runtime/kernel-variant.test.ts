// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { kernelVariant } from './kernel-variant.js';

describe('kernelVariant', () => {
  const base = { name: 'k', constants: { KEEP: 7 } };

  it('gives one cached descriptor per set of constants, adding to the spec own', () => {
    const a = kernelVariant(base, { MODE: 1 });
    expect(a).toEqual({ name: 'k', constants: { KEEP: 7, MODE: 1 } });
    expect(kernelVariant(base, { MODE: 1 })).toBe(a);
    expect(kernelVariant(base, { MODE: 2 })).not.toBe(a);
    expect(kernelVariant(base, { MODE: 2 }).constants).toEqual({ KEEP: 7, MODE: 2 });
  });

  it('leaves the spec itself untouched and keeps specs apart', () => {
    const other = { name: 'other' };
    kernelVariant(base, { KEEP: 1 });
    expect(base.constants).toEqual({ KEEP: 7 });
    expect(kernelVariant(other, { MODE: 1 })).toEqual({ name: 'other', constants: { MODE: 1 } });
  });
});
