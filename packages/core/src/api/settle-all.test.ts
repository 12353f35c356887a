// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { settleAll } from './settle-all.js';

const later = <T>(ms: number, value: T) => new Promise<T>((resolve) => setTimeout(() => resolve(value), ms));

describe('settleAll', () => {
  it('resolves with the values in order', async () => {
    await expect(settleAll<[number, string]>([later(5, 1), Promise.resolve('b')])).resolves.toEqual([1, 'b']);
  });

  it('rejects with the first rejection in order, only after every promise has settled', async () => {
    let slowDone = false;
    const slow = later(20, 'slow').then((value) => ((slowDone = true), value));
    const early = Promise.reject(new Error('check failed'));
    const late = later(1, 0).then(() => Promise.reject(new Error('second')));
    await expect(settleAll<[string, never, never]>([slow, early, late])).rejects.toThrow('check failed');
    expect(slowDone).toBe(true);
  });
});
