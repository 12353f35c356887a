// SPDX-License-Identifier: Apache-2.0
// How many timed rounds the browser page's sides must run at least (browser/measure.ts), kept apart
// as a pure function so that Node tests it.

/**
 * On tfjs's cpu backend, a row whose warm-up took this long (ms) gets one timed round unless the
 * run asked for rounds (--rounds): those rows (RISE, LIME, KernelSHAP, partition SHAP, deletion +
 * insertion, max-sensitivity, cascading randomisation, the feature case, the MobileNetV2 rows: 2-15 s a
 * cpu round) read gpu/cpu 0.15-0.50 here, far from 1, and their extra cpu rounds were ~150 s of the
 * full run's ~760 (session 43).
 */
export const LONG_CPU_ROUND_MS = 2000;

/** What decides a side's rounds. */
export interface RoundRequest {
  /** tfjs's backend during the side's rounds. */
  readonly backend: string;
  /** How long the side's warm-up rounds took. */
  readonly warmupMs: number;
  /** The run's rounds (--rounds, or the mode's default). */
  readonly rounds: number;
  /** True when --rounds was given: then every side times at least `rounds`. */
  readonly roundsGiven: boolean;
}

/** The timed rounds a side must run at least (short rows may run more: measure.ts). */
export function timedRoundsAsked({ backend, warmupMs, rounds, roundsGiven }: RoundRequest): number {
  const longCpuRow = backend === 'cpu' && warmupMs >= LONG_CPU_ROUND_MS;
  return longCpuRow && !roundsGiven ? Math.min(rounds, 1) : rounds;
}
