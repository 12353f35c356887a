// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { LONG_CPU_ROUND_MS, timedRoundsAsked } from './round-policy.js';

describe('timedRoundsAsked', () => {
  const long = LONG_CPU_ROUND_MS;
  it('a cpu side whose warm-up took LONG_CPU_ROUND_MS or more times one round', () => {
    expect(timedRoundsAsked({ backend: 'cpu', warmupMs: long, rounds: 3, roundsGiven: false })).toBe(1);
    expect(timedRoundsAsked({ backend: 'cpu', warmupMs: 12_000, rounds: 2, roundsGiven: false })).toBe(1);
  });
  it('shorter cpu warm-ups and every webgpu side keep the rounds asked for', () => {
    expect(timedRoundsAsked({ backend: 'cpu', warmupMs: long - 1, rounds: 3, roundsGiven: false })).toBe(3);
    expect(timedRoundsAsked({ backend: 'webgpu', warmupMs: 12_000, rounds: 3, roundsGiven: false })).toBe(3);
  });
  it('--rounds is never cut: a long cpu side times what it asks', () => {
    expect(timedRoundsAsked({ backend: 'cpu', warmupMs: 12_000, rounds: 9, roundsGiven: true })).toBe(9);
  });
});
