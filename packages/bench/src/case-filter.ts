// SPDX-License-Identifier: Apache-2.0

/**
 * The alternatives of a `--filter` text, lower-cased: `|` separates them, so "shap|xrai" selects the
 * SHAP cases and XRAI's (run in the bench's own order, one page or process: a row measured after
 * other rows, as a page that runs several methods would see it). Empty alternatives are dropped.
 */
export function filterAlternatives(filter: string | undefined): string[] {
  return (filter ?? '')
    .toLowerCase()
    .split('|')
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

/** Whether any of `texts` (a case's name, its family) holds one of the filter's alternatives; no filter selects all. */
export function matchesFilter(filter: string | undefined, ...texts: readonly string[]): boolean {
  const alternatives = filterAlternatives(filter);
  if (alternatives.length === 0) return true;
  const lowered = texts.map((t) => t.toLowerCase());
  return alternatives.some((part) => lowered.some((t) => t.includes(part)));
}

/**
 * The suites a filter names ("suite/case": the part before the `/`), when every alternative names
 * one; undefined when some alternative does not (then every suite is set up to find its cases).
 */
export function filterSuites(filter: string | undefined): string[] | undefined {
  const alternatives = filterAlternatives(filter);
  if (alternatives.length === 0 || !alternatives.every((part) => part.includes('/'))) return undefined;
  return alternatives.map((part) => part.slice(0, part.indexOf('/')));
}
