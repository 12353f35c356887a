// SPDX-License-Identifier: Apache-2.0
// The WGSL of the plane and band kernels (direct-conv2d-plane.kernel.ts), written out for one
// geometry: one invocation per (image, lane channel) computes its whole result plane, or per (image,
// band of rows, lane channel) its band (whose source rows, the only part that depends on the band,
// are read as 0 outside the source plane). Each step of its loop over
// the source channels loads every source cell the plane reads once and every filter tap once, then
// adds, per result position, its taps in the given order into a partial sum and that into the
// position's sum. Cells, taps and sums are separate values with constant names: SwiftShader unrolls
// no loop and keeps an array indexed by a loop counter in per-invocation memory (ADR 0009).
import type { DirectConvGeometry } from './direct-conv2d.ref.js';

/** The geometry without its batch: what a plane kernel's source is written for. */
export type PlaneGeometry = Omit<DirectConvGeometry, 'batch'>;

/** A term of a result position's sum: source cell `cell` (row-major in its plane) times filter tap `tap` (ky * filterWidth + kx). */
export interface PlaneTerm {
  readonly cell: number;
  readonly tap: number;
}

/** What differs between the forward kernel and the input gradient's. */
export interface PlaneLayout {
  /** Source values per image (the loop's channels times the source plane). */
  readonly sourceImage: number;
  /** Channels of the source (the loop runs over them) and of the result (one invocation each). */
  readonly sourceChannels: number;
  readonly laneChannels: number;
  readonly resultPositions: number;
  /** A result position's terms, in summation order. */
  readonly terms: (position: number) => readonly PlaneTerm[];
  /** WGSL of the weight index of tap `t` for source channel `channel` (the loop's) and lane channel `lane`. */
  readonly weightIndex: (t: number) => string;
  /** WGSL declarations of the bindings, among them the source's and the result's, named `source` and `result` here. */
  readonly bindings: readonly string[];
  readonly source: string;
  readonly result: string;
  /** WGSL turning sum `s` of the lane's channel into the stored value. */
  readonly stored: (s: string) => string;
  /** WGSL statements before the stores (e.g. reading the bias). */
  readonly beforeStore: readonly string[];
}

/** One result position's statements. */
function positionStatements(position: number, terms: readonly PlaneTerm[]): string[] {
  if (terms.length === 0) return [];
  const [first, ...rest] = terms.map((t) => `v${t.cell} * w${t.tap}`);
  return [`    {`, `      var q = ${first};`, ...rest.map((t) => `      q += ${t};`), `      s${position} += q;`, `    }`];
}

/** The kernel's first lines: the header comment, bindings, and main() up to invocation `i` (past the count: return). */
function entryLines(header: string, bindings: readonly string[]): string[] {
  return [
    `// ${header} (written out by plane-source.ts; why there).`,
    `override WORKGROUP_SIZE: u32;`,
    ...bindings,
    ``,
    `@compute @workgroup_size(WORKGROUP_SIZE)`,
    `fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {`,
    `  let i = linearIndex(wid, lid, nwg, WORKGROUP_SIZE);`,
    `  if (i >= params.count) {`,
    `    return;`,
    `  }`,
  ];
}

/** The kernel's WGSL for `layout` (`header` names the geometry in a comment). */
export function planeKernelSource(header: string, layout: PlaneLayout): string {
  const positions = Array.from({ length: layout.resultPositions }, (_, p) => p);
  const terms = positions.map((p) => layout.terms(p));
  const cells = [...new Set(terms.flat().map((t) => t.cell))].sort((a, b) => a - b);
  const taps = [...new Set(terms.flat().map((t) => t.tap))].sort((a, b) => a - b);
  const { sourceChannels: sc, laneChannels: lc } = layout;
  return [
    ...entryLines(header, layout.bindings),
    `  let lane = i % ${lc}u;`,
    `  let b = i / ${lc}u;`,
    `  let sourceImage = b * ${layout.sourceImage}u;`,
    ...positions.map((p) => `  var s${p} = 0.0;`),
    `  for (var channel = 0u; channel < ${sc}u; channel++) {`,
    ...cells.map((c) => `    let v${c} = ${layout.source}[sourceImage + ${c * sc}u + channel];`),
    ...taps.map((t) => `    let w${t} = weights[${layout.weightIndex(t)}];`),
    ...positions.flatMap((p) => positionStatements(p, terms[p]!)),
    `  }`,
    ...layout.beforeStore,
    `  let resultImage = b * ${layout.resultPositions * lc}u + lane;`,
    ...positions.map((p) => `  ${layout.result}[resultImage + ${p * lc}u] = ${layout.stored(`s${p}`)};`),
    `}`,
  ].join('\n');
}

/** A band's term: source cell (`row` relative to the band's first source row, `col`) times filter tap `tap`. */
export interface BandTerm {
  readonly row: number;
  readonly col: number;
  readonly tap: number;
}

/**
 * What the band kernels (an invocation per (image, band of `bandRows` result rows, lane channel))
 * need beyond a plane's layout. Column strides are 1, so a band's terms are the same for every band
 * but the rows it reads: source row `first + row` for `first` = band * bandRows + `firstRowOffset`,
 * read as 0 outside the source plane.
 */
export interface BandLayout extends Omit<PlaneLayout, 'terms' | 'resultPositions' | 'sourceImage'> {
  readonly sourceHeight: number;
  readonly sourceWidth: number;
  readonly resultHeight: number;
  readonly resultWidth: number;
  readonly bandRows: number;
  /** The band's first source row minus band * bandRows (may be negative). */
  readonly firstRowOffset: number;
  /** Result cell (row in the band, column)'s terms, in summation order. */
  readonly terms: (row: number, col: number) => readonly BandTerm[];
}

/** Band kernels' WGSL for `layout` (`header` names the geometry in a comment). */
export function bandKernelSource(header: string, layout: BandLayout): string {
  const { sourceChannels: sc, laneChannels: lc, bandRows, resultWidth, sourceWidth } = layout;
  const bands = Math.ceil(layout.resultHeight / bandRows);
  const positions = Array.from({ length: bandRows * resultWidth }, (_, p) => p);
  const terms = positions.map((p) => layout.terms(Math.floor(p / resultWidth), p % resultWidth));
  const rows = [...new Set(terms.flat().map((t) => t.row))].sort((a, b) => a - b);
  const cells = [...new Set(terms.flat().map((t) => t.row * sourceWidth + t.col))].sort((a, b) => a - b);
  const taps = [...new Set(terms.flat().map((t) => t.tap))].sort((a, b) => a - b);
  const named = terms.map((ts) => ts.map((t) => ({ cell: t.row * sourceWidth + t.col, tap: t.tap })));
  return [
    ...entryLines(header, layout.bindings),
    `  let lane = i % ${lc}u;`,
    `  let band = (i / ${lc}u) % ${bands}u;`,
    `  let b = i / ${lc * bands}u;`,
    `  let first = i32(band * ${bandRows}u) + ${layout.firstRowOffset};`,
    // Each source row the band reads: where it starts (clamped into the plane) and whether it is inside.
    ...rows.flatMap((r) => [
      `  let inside${r} = first + ${r} >= 0 && first + ${r} < ${layout.sourceHeight};`,
      `  let row${r} = (b * ${layout.sourceHeight}u + u32(clamp(first + ${r}, 0, ${layout.sourceHeight - 1}))) * ${sourceWidth * sc}u;`,
    ]),
    ...positions.map((p) => `  var s${p} = 0.0;`),
    `  for (var channel = 0u; channel < ${sc}u; channel++) {`,
    ...cells.map((c) => {
      const [r, col] = [Math.floor(c / sourceWidth), c % sourceWidth];
      return `    let v${c} = select(0.0, ${layout.source}[row${r} + ${col * sc}u + channel], inside${r});`;
    }),
    ...taps.map((t) => `    let w${t} = weights[${layout.weightIndex(t)}];`),
    ...positions.flatMap((p) => positionStatements(p, named[p]!)),
    `  }`,
    ...layout.beforeStore,
    ...Array.from({ length: bandRows }, (_, r) => [
      `  if (band * ${bandRows}u + ${r}u < ${layout.resultHeight}u) {`,
      `    let at = ((b * ${layout.resultHeight}u + band * ${bandRows}u + ${r}u) * ${resultWidth}u) * ${lc}u + lane;`,
      ...Array.from(
        { length: resultWidth },
        (_, x) => `    ${layout.result}[at + ${x * lc}u] = ${layout.stored(`s${r * resultWidth + x}`)};`,
      ),
      `  }`,
    ]).flat(),
    `}`,
  ].join('\n');
}
