// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { kernelVariant } from './kernel-variant.js';
import { pipelineKey, type AnySpec } from './kernel.js';

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

  it('tells sets apart by every name and value, a prefix and the order as the JSON key did; one per set', () => {
    const sets = [{}, { MODE: 1 }, { MODE: 1, WIDTH: 3 }, { WIDTH: 3, MODE: 1 }, { MODE: 1, WIDTH: 5 }, { MODE: 3 }, { WIDTH: 1 }];
    const found = sets.map((constants) => kernelVariant(base, constants));
    expect(new Set(found).size).toBe(sets.length);
    sets.forEach((constants, i) => {
      expect(found[i]!.constants).toEqual({ KEEP: 7, ...constants });
      expect(kernelVariant(base, { ...constants })).toBe(found[i]); // an equal set in a fresh object
    });
    expect(kernelVariant(base, { MODE: -0 })).toBe(kernelVariant(base, { MODE: 0 })); // as JSON.stringify: -0 is 0
  });
});

describe('pipelineKey', () => {
  const spec = (constants?: Record<string, number>) =>
    ({ name: 'k', workgroupSize: 64, ...(constants && { constants }) }) as unknown as AnySpec;

  it('is the name, workgroup size and JSON of the constants, the same string on every call', () => {
    const plain = spec();
    const variant = kernelVariant<AnySpec>(spec({ KEEP: 7 }), { MODE: 2 });
    expect(pipelineKey(plain)).toBe('k@64:{}');
    expect(pipelineKey(plain)).toBe('k@64:{}');
    expect(pipelineKey(variant)).toBe('k@64:{"KEEP":7,"MODE":2}');
    expect(pipelineKey(variant)).toBe(pipelineKey(spec({ KEEP: 7, MODE: 2 })));
    expect(pipelineKey(spec({ MODE: 3 }))).not.toBe(pipelineKey(variant));
  });

  it('names the included snippets, so descriptors differing only in them get pipelines of their own', () => {
    const including = (...names: string[]) =>
      ({ name: 'k', workgroupSize: 64, includes: names.map((name) => ({ name, source: '' })) }) as unknown as AnySpec;
    expect(pipelineKey(including('a.wgsl', 'b.wgsl'))).toBe('k@64:{}+a.wgsl+b.wgsl');
    expect(pipelineKey(including('a.wgsl', 'c.wgsl'))).not.toBe(pipelineKey(including('a.wgsl', 'b.wgsl')));
    expect(pipelineKey(including())).toBe('k@64:{}');
  });

  it('throws when a descriptor shares a key with an earlier one whose sources differ (it would run the first one)', () => {
    const kernel = (source: string, snippet = '') =>
      ({ name: 'same-name', workgroupSize: 64, source, includes: [{ name: 's.wgsl', source: snippet }] }) as unknown as AnySpec;
    const key = pipelineKey(kernel('fn main() {}'));
    expect(pipelineKey(kernel('fn main() {}'))).toBe(key); // a fresh descriptor of the same program
    expect(() => pipelineKey(kernel('fn main() { /* variant */ }'))).toThrow(/same-name@64.*different WGSL sources/);
    expect(() => pipelineKey(kernel('fn main() {}', 'const X = 1;'))).toThrow(/different WGSL sources/);
  });
});
