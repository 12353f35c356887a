// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { featureCases } from './browser-cases.js';

describe("featureCases (the browser page's feature-visualisation case)", () => {
  it.each([true, false])(
    'quick=%s: the name states the image size, channels and steps; one gradient pass per step over the channel batch and one forward',
    (quick) => {
      for (const c of featureCases(quick)) {
        expect(c.name).toContain(`${c.size}x${c.size}, ${c.units.channels} ch, ${c.steps} steps`);
        expect(c.bare).toEqual({
          kind: 'gradient',
          images: c.units.channels * c.steps,
          batch: c.units.channels,
          extraForward: c.units.channels,
        });
      }
    },
  );

  it('--quick does less work than the full run', () => {
    const work = (quick: boolean) => featureCases(quick).reduce((sum, c) => sum + c.size ** 2 * c.units.channels * c.steps, 0);
    expect(work(true)).toBeLessThan(work(false));
  });
});
