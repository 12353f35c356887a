// SPDX-License-Identifier: Apache-2.0
// direct-conv2d-plane: a forward convolution whose WGSL is written out for one geometry, for small
// output planes (a 7x7 layer at the end of a CNN): each invocation computes the whole output plane
// of one output channel of one image, so every weight it loads serves every output position
// (49 for a 7x7 plane) instead of the 8 columns of direct-conv2d-slide's blocks.
//
// Why generated: on SwiftShader a load of a per-invocation address is a gather done lane by lane,
// and without its weight loads direct-conv2d-slide took 1.35 instead of 2.40 ms on MNIST's conv3
// (session 20 probe, diagnostic variant). Here each step over an input channel loads the input
// cells the plane reads once (one per cell, the same address in every lane of a SIMD group) and the
// filter's taps once (one per tap), then adds every output's taps. SwiftShader unrolls no loop and
// keeps an array indexed by a loop counter in per-invocation memory (ADR 0009), so the cells, taps
// and sums are separate values with constant names: the source is written for one geometry.
// Measured (session 20, headless Chromium + SwiftShader, MNIST conv3 [1,7,7,32] 5x5 -> 64 with
// bias + relu, per-dispatch time of 20 dispatches in one submit minus 1, medians of 40 alternating
// rounds, load 3.5): 0.80 ms vs 2.15 for direct-conv2d-slide.
//
// Numerics: per output, the taps of one input channel are summed in (ky, kx) order into a partial
// sum, the partial sums added in input-channel order, the bias added last (direct-conv2d-slide: per
// filter row, (ci, kx) order). Same tolerance as direct-conv2d, abs 1e-5, rel 1e-4 against the f64
// reference; not bit-identical to the other kernels.
import { defineKernel } from '../runtime/kernel.js';
import { activationSnippet, convGeometrySnippet } from '../snippets/index.js';
import { directConv2d, DIRECT_CONV_ACTIVATIONS, type DirectConvActivation } from './direct-conv2d.kernel.js';
import type { DirectConvGeometry } from './direct-conv2d.ref.js';

/** The largest output plane (height x width) the plane kernel takes: its sums are that many values per invocation. */
export const PLANE_MAX_POSITIONS = 64;

/** The geometry without its batch: what the plane kernel's source is written for. */
export type PlaneGeometry = Omit<DirectConvGeometry, 'batch'>;

/**
 * Whether the plane kernel takes a convolution of this geometry: an output plane of at most
 * {@link PLANE_MAX_POSITIONS} positions and a filter of at least 3 x 3 (a 1 x 1 filter would load one
 * input cell per multiply-add: the 8 x 8 blocks load fewer).
 */
export function fitsPlaneKernel(g: PlaneGeometry): boolean {
  return g.outHeight * g.outWidth <= PLANE_MAX_POSITIONS && g.filterHeight * g.filterWidth >= 9;
}

/** Invocations one dispatch of the plane kernel needs: one per (image, output channel). */
export function directConv2dPlaneInvocations(g: { batch: number; outChannels: number }): number {
  return g.batch * g.outChannels;
}

/** The input cell (row-major index in the plane) output (oy, ox)'s tap (ky, kx) reads, or -1 in the padding. */
function tapCell(g: PlaneGeometry, oy: number, ox: number, ky: number, kx: number): number {
  const iy = oy * g.strideHeight + ky - g.padTop;
  const ix = ox * g.strideWidth + kx - g.padLeft;
  return iy >= 0 && iy < g.inHeight && ix >= 0 && ix < g.inWidth ? iy * g.inWidth + ix : -1;
}

/** One output's statements: its taps summed in (ky, kx) order, then added to its sum. */
function outputTerms(g: PlaneGeometry, oy: number, ox: number): string[] {
  const terms: string[] = [];
  for (let ky = 0; ky < g.filterHeight; ky++) {
    for (let kx = 0; kx < g.filterWidth; kx++) {
      const cell = tapCell(g, oy, ox, ky, kx);
      if (cell >= 0) terms.push(`x${cell} * w${ky * g.filterWidth + kx}`);
    }
  }
  if (terms.length === 0) return [];
  const s = `s${oy * g.outWidth + ox}`;
  return [`    {`, `      var q = ${terms[0]};`, ...terms.slice(1).map((t) => `      q += ${t};`), `      ${s} += q;`, `    }`];
}

/** The cells any output reads, in plane order. */
function usedCells(g: PlaneGeometry): number[] {
  const used = new Set<number>();
  for (let oy = 0; oy < g.outHeight; oy++)
    for (let ox = 0; ox < g.outWidth; ox++)
      for (let ky = 0; ky < g.filterHeight; ky++) for (let kx = 0; kx < g.filterWidth; kx++) used.add(tapCell(g, oy, ox, ky, kx));
  used.delete(-1);
  return [...used].sort((a, b) => a - b);
}

/** The kernel's WGSL for geometry `g` (bindings and uniform as direct-conv2d's). */
export function planeSource(g: PlaneGeometry): string {
  const positions = g.outHeight * g.outWidth;
  const taps = g.filterHeight * g.filterWidth;
  const outputs: string[] = [];
  for (let oy = 0; oy < g.outHeight; oy++) for (let ox = 0; ox < g.outWidth; ox++) outputs.push(...outputTerms(g, oy, ox));
  return [
    `// direct-conv2d-plane, written out for input ${g.inHeight}x${g.inWidth}x${g.inChannels}, filter ${g.filterHeight}x${g.filterWidth},`,
    `// output ${g.outHeight}x${g.outWidth}x${g.outChannels}, strides ${g.strideHeight}x${g.strideWidth}, pads ${g.padTop}/${g.padLeft}`,
    `// (generated by direct-conv2d-plane.kernel.ts; why there).`,
    `override WORKGROUP_SIZE: u32;`,
    `// The fused activation's code (activation.wgsl) and whether the bias binding is read.`,
    `override ACTIVATION: u32 = 0u;`,
    `override HAS_BIAS: bool = false;`,
    `@group(0) @binding(0) var<uniform> params: ConvGeometry;`,
    `@group(0) @binding(1) var<storage, read> x: array<f32>;`,
    `@group(0) @binding(2) var<storage, read> weights: array<f32>;`,
    `// Read only when HAS_BIAS (bind any storage buffer otherwise).`,
    `@group(0) @binding(3) var<storage, read> bias: array<f32>;`,
    `@group(0) @binding(4) var<storage, read_write> y: array<f32>;`,
    ``,
    `@compute @workgroup_size(WORKGROUP_SIZE)`,
    `fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {`,
    `  let i = linearIndex(wid, lid, nwg, WORKGROUP_SIZE);`,
    `  if (i >= params.count) {`,
    `    return;`,
    `  }`,
    `  let co = i % ${g.outChannels}u;`,
    `  let b = i / ${g.outChannels}u;`,
    `  let xImage = b * ${g.inHeight * g.inWidth * g.inChannels}u;`,
    ...Array.from({ length: positions }, (_, p) => `  var s${p} = 0.0;`),
    `  for (var ci = 0u; ci < ${g.inChannels}u; ci++) {`,
    ...usedCells(g).map((c) => `    let x${c} = x[xImage + ${c * g.inChannels}u + ci];`),
    ...Array.from({ length: taps }, (_, t) => `    let w${t} = weights[${t * g.inChannels * g.outChannels}u + ci * ${g.outChannels}u + co];`),
    ...outputs,
    `  }`,
    `  var shift = 0.0;`,
    `  if (HAS_BIAS) {`,
    `    shift = bias[co];`,
    `  }`,
    `  let yImage = b * ${positions * g.outChannels}u + co;`,
    ...Array.from(
      { length: positions },
      (_, p) => `  y[yImage + ${p * g.outChannels}u] = activate(vec4f(s${p} + shift), ACTIVATION, 0.0).x;`,
    ),
    `}`,
  ].join('\n');
}

/** The geometry as a name: input-filter-output-strides-pads. */
function shapeName(g: PlaneGeometry): string {
  return `${g.inHeight}x${g.inWidth}x${g.inChannels}-${g.filterHeight}x${g.filterWidth}-${g.outHeight}x${g.outWidth}x${g.outChannels}-s${g.strideHeight}x${g.strideWidth}-p${g.padTop}x${g.padLeft}`;
}

const variants = new Map<string, typeof directConv2d>();

/**
 * The plane kernel for geometry `g` (see {@link fitsPlaneKernel}) fusing `activation` and, if
 * `hasBias`, reading its bias binding: one cached descriptor per geometry and variant.
 * `params.count` is {@link directConv2dPlaneInvocations}.
 */
export function directConv2dPlaneFor(g: PlaneGeometry, activation: DirectConvActivation, hasBias: boolean): typeof directConv2d {
  const constants = { ACTIVATION: DIRECT_CONV_ACTIVATIONS[activation], HAS_BIAS: hasBias ? 1 : 0 };
  // The geometry is in the name: the runtime caches pipelines by name and constants.
  const name = `direct-conv2d-plane-${shapeName(g)}`;
  const key = `${name}:${constants.ACTIVATION}:${constants.HAS_BIAS}`;
  let kernel = variants.get(key);
  if (!kernel) {
    kernel = defineKernel({ ...directConv2d, name, source: planeSource(g), includes: [convGeometrySnippet, activationSnippet], constants });
    variants.set(key, kernel);
  }
  return kernel;
}

/**
 * The plane kernel for MNIST's conv3 (7x7x32, 5x5 'same' -> 64), linear and bias-free: an example
 * of the generated source (the WGSL / descriptor seam test reads the exported descriptors).
 */
export const directConv2dPlane = directConv2dPlaneFor(
  { inHeight: 7, inWidth: 7, inChannels: 32, outHeight: 7, outWidth: 7, outChannels: 64, filterHeight: 5, filterWidth: 5, strideHeight: 1, strideWidth: 1, padTop: 2, padLeft: 2 },
  'linear',
  false,
);
