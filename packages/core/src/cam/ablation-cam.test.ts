// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { sliceGroups } from './ablation-cam.js';

describe('Ablation-CAM write-ahead groups', () => {
  it('covers every channel once, in order, in batches of batchSize with a ragged last one', () => {
    const groups = sliceGroups(1280, 32, 4 * 2 * 2 * 1280);
    const slices = groups.flat();
    expect(slices).toHaveLength(40);
    expect(slices.every((s, i) => s.start === 32 * i && s.count === 32)).toBe(true);
    expect(sliceGroups(70, 32, 4).flat()).toEqual([
      { start: 0, count: 32 },
      { start: 32, count: 32 },
      { start: 64, count: 6 },
    ]);
  });

  it('groups as many batches as 64 MiB hold, and at least one batch however big', () => {
    // MobileNetV2's out_relu at 48x48 (2x2x1280): 40 batches of 655 KB, one group (one submit).
    expect(sliceGroups(1280, 32, 4 * 2 * 2 * 1280)).toHaveLength(1);
    // At 224x224 (7x7x1280): 8 MB per batch, 8 per group, 5 groups.
    expect(sliceGroups(1280, 32, 4 * 7 * 7 * 1280).map((g) => g.length)).toEqual([8, 8, 8, 8, 8]);
    // A batch over the budget still goes alone.
    expect(sliceGroups(3, 1, 100 * 2 ** 20).map((g) => g.length)).toEqual([1, 1, 1]);
  });
});
