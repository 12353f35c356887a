// SPDX-License-Identifier: Apache-2.0
// Unknown option names are mistakes (`step: 1e7` for `steps`), never silently ignored: every entry
// point checks the names it was given against the names its options type declares.
import { InvalidOptionError } from '@webxai/shaders';

/**
 * Every option name of `O`, as a record the compiler checks against `O`: a name missing from the
 * record, or one `O` does not declare, is a type error. Declare one beside each options type.
 *
 * @example
 * export interface FooOptions { readonly steps?: number; readonly seed?: number }
 * export const FOO_OPTION_NAMES: OptionNames<FooOptions> = { steps: true, seed: true };
 */
export type OptionNames<O> = { readonly [K in keyof Required<O>]: true };

/** Names every `explain` / `createExplainer` call takes besides the method's own. */
export const COMMON_OPTION_NAMES = { method: true, target: true, signal: true, onProgress: true, preprocess: true } as const;

/** Names a per-call override (`explainer.explain(x, overrides)`) may have. */
export const CALL_OVERRIDE_NAMES = { target: true, signal: true, onProgress: true } as const;

/** Optimal string alignment distance (Levenshtein plus adjacent transpositions), case-insensitive. */
function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  const d: number[][] = Array.from({ length: s.length + 1 }, (_, i) =>
    Array.from({ length: t.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= s.length; i++) {
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[s.length]![t.length]!;
}

/**
 * The candidate closest to `name` when it is close enough to be a typo (at most a third of the
 * name's letters edited, at least one), or one that starts like it (`sample` for `samples`).
 */
export function nearestName(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(name, candidate);
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  if (best === undefined) return undefined;
  const prefix =
    name.length >= 3 && (best.toLowerCase().startsWith(name.toLowerCase()) || name.toLowerCase().startsWith(best.toLowerCase()));
  return bestDistance <= Math.max(1, Math.floor(name.length / 3)) || prefix ? best : undefined;
}

/**
 * Rejects option names outside `known` with an InvalidOptionError that suggests the nearest valid
 * name, e.g. "integrated-gradients: unknown option 'step' (did you mean 'steps'?)". For every
 * entry point that takes an options object (methods, metrics, segmentation, visualisation).
 *
 * @param where the entry point, as it starts its messages ('integrated-gradients', 'segment').
 * @param known records of valid names (e.g. the method's {@link OptionNames} and {@link COMMON_OPTION_NAMES}).
 * @throws {InvalidOptionError} `options` is not a plain object, or has a name not in `known`.
 */
export function checkOptionNames(where: string, options: unknown, ...known: readonly object[]): void {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new InvalidOptionError(
      `${where}: options must be an object, got ${options === null ? 'null' : Array.isArray(options) ? 'an array' : typeof options}`,
    );
  }
  const valid = new Set(known.flatMap((names) => Object.keys(names)));
  for (const [name, value] of Object.entries(options)) {
    // A name set to undefined changes nothing (spreads of optional settings produce them).
    if (valid.has(name) || value === undefined) continue;
    const nearest = nearestName(name, valid);
    const hint = nearest ? `did you mean '${nearest}'?` : `valid options: ${[...valid].sort().join(', ')}`;
    throw new InvalidOptionError(`${where}: unknown option '${name}' (${hint})`);
  }
}
