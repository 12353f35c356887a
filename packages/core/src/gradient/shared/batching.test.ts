// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '@webxai/shaders';
import { ACTIVATION_FACTOR, chooseBatchSize, DEFAULT_MEMORY_BUDGET_MB } from './batching.js';

describe('chooseBatchSize', () => {
  const image = 224 * 224 * 3;
  it('fits the memory budget at ACTIVATION_FACTOR input sizes per image, at least 1, at most total', () => {
    const perImage = image * 4 * ACTIVATION_FACTOR;
    expect(chooseBatchSize(image, 64, {})).toBe(Math.floor((DEFAULT_MEMORY_BUDGET_MB * 2 ** 20) / perImage));
    expect(chooseBatchSize(image, 64, { memoryBudgetMB: 8192 })).toBe(Math.floor((8192 * 2 ** 20) / perImage));
    expect(chooseBatchSize(image, 64, { memoryBudgetMB: 1 })).toBe(1);
    expect(chooseBatchSize(8 * 8 * 3, 50, {})).toBe(50);
  });
  it('takes an explicit batchSize (capped at total) and rejects bad ones', () => {
    expect(chooseBatchSize(image, 64, { batchSize: 10 })).toBe(10);
    expect(chooseBatchSize(image, 4, { batchSize: 10 })).toBe(4);
    expect(() => chooseBatchSize(image, 4, { batchSize: 1.5 })).toThrow(InvalidOptionError);
    expect(() => chooseBatchSize(image, 4, { memoryBudgetMB: 0 })).toThrow(/memoryBudgetMB must be/);
  });
});
