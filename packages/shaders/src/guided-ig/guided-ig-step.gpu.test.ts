// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { gpuTest, seededF32, seededInts } from '@webxai/testing';
import { runKernel } from '../runtime/kernel.js';
import { kernelVariant } from '../runtime/kernel-variant.js';
import { liveBufferCount, readFloat32, releaseBuffer, uploadBuffer } from '../runtime/buffers.js';
import { GUIDED_IG_SHORT_ROW, guidedIgStep, guidedIgStepFor } from './guided-ig-step.kernel.js';
import { guidedIgStepRef, fixedOrderSumF32, type GuidedIgStepInputs, type GuidedIgStepParams } from './guided-ig-step.ref.js';

const f = Math.fround;
const TOLERANCE = 1e-5; // core's GUIDED_IG_L1_TOLERANCE

interface Path {
  readonly rows: number;
  readonly rowLength: number;
  readonly steps: number;
  readonly maxDist: number;
  readonly fraction: number;
  readonly gradient: Float32Array;
  /** Features whose input equals the baseline. */
  readonly zeroDiff?: (i: number) => boolean;
}

/** The uniform of step `step` of `p.steps` (as guided-ig.ts computes it). */
function paramsOf(p: Path, step: number): GuidedIgStepParams {
  const alpha = (step + 1) / p.steps;
  return {
    rows: p.rows,
    rowLength: p.rowLength,
    rank: Math.floor(p.fraction * (p.rowLength - 1)) + 1,
    maxIterations: 64,
    alphaMin: Math.max(alpha - p.maxDist, 0),
    alphaMax: Math.min(alpha + p.maxDist, 1),
    targetFraction: 1 - (step + 1) / p.steps,
    tolerance: TOLERANCE,
  };
}

/** The inputs of step `step`: the path so far followed on the CPU by the reference (the gradient kept fixed). */
function stateAt(p: Path, step: number, seed: number): GuidedIgStepInputs {
  const length = p.rows * p.rowLength;
  const xBase = seededF32(length, seed, 0, 0.2);
  const diff = Float32Array.from(seededF32(length, seed + 1, -1, 1), (d, i) => (p.zeroDiff?.(i) ? 0 : d));
  const xIn = Float32Array.from(xBase, (b, i) => b + diff[i]!);
  let inputs: GuidedIgStepInputs = { gradient: p.gradient, xIn, xBase, diff, xStart: xBase, attribution: new Float32Array(length) };
  for (let s = 0; s < step; s++) {
    const out = guidedIgStepRef(inputs, paramsOf(p, s));
    inputs = { ...inputs, xStart: out.x, attribution: out.attribution };
  }
  return inputs;
}

/** Gradients on a coarse grid (many exact key ties). */
const coarse = (length: number, seed: number) => Float32Array.from(seededInts(length, seed, -20, 21), (l) => l / 20);

const small: Path = { rows: 1, rowLength: 3072, steps: 64, maxDist: 0.02, fraction: 0.25, gradient: seededF32(3072, 11, -1, 1) };
const ties: Path = {
  rows: 3,
  rowLength: 700,
  steps: 16,
  maxDist: 0.1,
  fraction: 0.25,
  gradient: coarse(2100, 12),
  zeroDiff: (i) => i % 7 === 0,
};
// Row 1's input equals its baseline (total 0: the row never iterates).
const emptyRow: Path = { ...ties, rows: 3, zeroDiff: (i) => i % 7 === 0 || (i >= 700 && i < 1400) };
const large: Path = { rows: 1, rowLength: 224 * 224 * 3, steps: 8, maxDist: 0.02, fraction: 0.25, gradient: seededF32(150528, 13, -2, 2) };

const CASES = [
  { why: 'a 32x32x3 image, step 10 of 64', p: small, step: 10, seed: 1 },
  { why: 'the first step (alphaMin 0)', p: small, step: 0, seed: 2 },
  { why: 'the last step (every feature ends at the input)', p: { ...small, steps: 4 }, step: 3, seed: 3 },
  { why: 'maxDist 0 (x_min = x_max: a straight step)', p: { ...small, maxDist: 0 }, step: 5, seed: 4 },
  { why: 'ties on a coarse grid, zero-diff features, 3 rows', p: ties, step: 6, seed: 5 },
  { why: 'a row whose input is its baseline', p: emptyRow, step: 3, seed: 6 },
  { why: 'fraction 1 (every feature selected)', p: { ...ties, fraction: 1 }, step: 2, seed: 7 },
  { why: 'fraction 0 (the smallest key only)', p: { ...ties, fraction: 0 }, step: 2, seed: 8 },
  { why: 'a 224x224x3 image, step 2 of 8', p: large, step: 2, seed: 9 },
  // Edge cases of guided-ig-keys.wgsl's keys and radix select (tested here, its only includer).
  { why: 'all gradients zero (every key 0)', p: { ...ties, gradient: new Float32Array(2100) }, step: 4, seed: 15 },
  { why: 'tiny gradients (1e-30)', p: { ...small, gradient: seededF32(3072, 16, -1e-30, 1e-30) }, step: 7, seed: 16 },
];

/**
 * The two ways the kernel holds a row's per-feature state, each run on every case that fits it: in
 * storage (any row), and in private arrays (SHORT_ROW: rows of at most GUIDED_IG_SHORT_ROW features,
 * the variant guidedIgStepFor gives them).
 */
const KERNELS = [
  { state: 'storage', kernel: guidedIgStep, fits: (_p: Path) => true },
  { state: 'private arrays', kernel: kernelVariant(guidedIgStep, { SHORT_ROW: 1 }), fits: (p: Path) => p.rowLength <= GUIDED_IG_SHORT_ROW },
];

/** Runs the kernel on `inputs` and returns its x and attribution (each checked for writes past the rows). */
async function onGpu(device: GPUDevice, inputs: GuidedIgStepInputs, params: GuidedIgStepParams, kernel: typeof guidedIgStep) {
  const length = params.rows * params.rowLength;
  const names = ['gradient', 'xIn', 'xBase', 'diff', 'xStart', 'attribution'] as const;
  const [gradient, xIn, xBase, diff, xStart, attribution] = names.map((n) => uploadBuffer(device, Float32Array.from(inputs[n]), n)) as [
    GPUBuffer,
    GPUBuffer,
    GPUBuffer,
    GPUBuffer,
    GPUBuffer,
    GPUBuffer,
  ];
  const x = uploadBuffer(device, new Float32Array(length + 2).fill(-3), 'x');
  const attributionOut = uploadBuffer(device, new Float32Array(length + 2).fill(-3), 'attributionOut');
  await runKernel(device, kernel, { params, gradient, xIn, xBase, diff, xStart, attribution, x, attributionOut });
  const got = { x: await readFloat32(device, x, length + 2), attribution: await readFloat32(device, attributionOut, length + 2) };
  [gradient, xIn, xBase, diff, xStart, attribution, x, attributionOut].forEach((b) => releaseBuffer(device, b));
  return got;
}

const bits = (a: Float32Array, length: number) => new Uint32Array(a.buffer, a.byteOffset, length);

describe.each(KERNELS)('guided-ig-step, state in $state', ({ kernel, fits }) => {
  gpuTest.for(CASES.filter((c) => fits(c.p)))('matches guidedIgStepRef bit for bit: $why', async ({ p, step, seed }, { device }) => {
    const inputs = stateAt(p, step, seed);
    const params = paramsOf(p, step);
    const length = p.rows * p.rowLength;
    const got = await onGpu(device, inputs, params, kernel);
    const want = guidedIgStepRef(inputs, params);
    expect(bits(got.x, length)).toEqual(bits(want.x, length));
    expect(bits(got.attribution, length)).toEqual(bits(want.attribution, length));
    expect(Array.from(got.x.subarray(length))).toEqual([-3, -3]);
    expect(Array.from(got.attribution.subarray(length))).toEqual([-3, -3]);
    expect(liveBufferCount(device)).toBe(0);
    // The step did something, and each row with a path ends at its L1 target (PAIR's loop condition).
    expect(want.x.some((v, i) => v !== inputs.xStart[i])).toBe(true);
    for (let r = 0; r < p.rows; r++) {
      let [total, distance] = [0, 0];
      for (let i = r * p.rowLength; i < (r + 1) * p.rowLength; i++) {
        total += Math.abs(inputs.diff[i]!);
        distance += Math.abs(want.x[i]! - inputs.xIn[i]!);
      }
      expect(Math.abs(distance - total * params.targetFraction)).toBeLessThanOrEqual(2 * TOLERANCE * total);
    }
  });

  // The kernel derives an iteration's counts from the previous ones after an all-the-way move and
  // computes and counts the keys again when another key changed or the cell moved; no known input
  // reaches that recount, so TRUST_DERIVED_COUNTS = false sends every iteration after a move through it.
  const recounting = kernelVariant(kernel, { TRUST_DERIVED_COUNTS: 0 });
  gpuTest.for(CASES.filter((c) => c.p !== large && fits(c.p)))(
    'computes and counts the keys again where they are not trusted, the same bits: $why',
    async ({ p, step, seed }, { device }) => {
      const inputs = stateAt(p, step, seed);
      const params = paramsOf(p, step);
      const length = p.rows * p.rowLength;
      const got = await onGpu(device, inputs, params, recounting);
      const want = guidedIgStepRef(inputs, params);
      expect(bits(got.x, length)).toEqual(bits(want.x, length));
      expect(bits(got.attribution, length)).toEqual(bits(want.attribution, length));
      expect(liveBufferCount(device)).toBe(0);
    },
  );

  gpuTest('rows already at x_max: nothing is selectable, the loop runs out and x stays', async ({ device }) => {
    const p = { ...ties, rows: 2, rowLength: 300, gradient: seededF32(600, 14) };
    const params = { ...paramsOf(p, 4), targetFraction: 0.5 }; // a target x_max does not meet
    const inputs = stateAt(p, 0, 10);
    const xMax = Float32Array.from(inputs.xBase, (b, i) => b + f(inputs.diff[i]! * f(params.alphaMax)));
    const atMax = { ...inputs, xStart: xMax };
    const got = await onGpu(device, atMax, params, kernel);
    const want = guidedIgStepRef(atMax, params);
    expect(bits(got.x, 600)).toEqual(bits(want.x, 600));
    expect(bits(got.attribution, 600)).toEqual(bits(want.attribution, 600));
    expect(Array.from(want.x)).toEqual(Array.from(xMax));
    expect(liveBufferCount(device)).toBe(0);
  });
});

describe.each(KERNELS)('guided-ig-step at its iteration cap, state in $state', ({ kernel }) => {
  // Each iteration's catch-up runs in the pass before it; with no iteration left after a move
  // there is none (maxIterations 1, 2), and with none at all x stays xStart (maxIterations 0).
  gpuTest.for([0, 1, 2])('matches guidedIgStepRef bit for bit with maxIterations %i', async (maxIterations, { device }) => {
    const inputs = stateAt(ties, 5, 17);
    const params = { ...paramsOf(ties, 5), maxIterations };
    const length = ties.rows * ties.rowLength;
    const got = await onGpu(device, inputs, params, kernel);
    const want = guidedIgStepRef(inputs, params);
    expect(bits(got.x, length)).toEqual(bits(want.x, length));
    expect(bits(got.attribution, length)).toEqual(bits(want.attribution, length));
    expect(Array.from(want.x).some((v, i) => v !== inputs.xStart[i])).toBe(maxIterations > 0);
    expect(liveBufferCount(device)).toBe(0);
  });
});

/**
 * A 64-feature row started behind alpha_min whose one allowed iteration moves every feature a tiny
 * fraction (target just below the caught-up distance): some end still "behind" by f32 rounding, so
 * a catch-up after that last move (which the kernel must not run) would change them. The first of
 * `seed` 1, 2, ... with such a feature.
 */
function lastMoveCorner(): { inputs: GuidedIgStepInputs; params: GuidedIgStepParams } {
  const n = 64;
  for (let seed = 1; ; seed++) {
    const [xBase, diff, gradient] = [seededF32(n, 100 * seed, 0, 0.2), seededF32(n, 100 * seed + 1, -1, 1), seededF32(n, 100 * seed + 2)];
    const alphaMin = f(0.2 + 0.5 * seededF32(1, 100 * seed + 3)[0]!);
    const xIn = Float32Array.from(xBase, (b, i) => b + diff[i]!);
    const xMin = Float32Array.from(xBase, (b, i) => b + f(diff[i]! * alphaMin));
    const xStart = Float32Array.from(xBase, (b, i) => b + f(diff[i]! * f(alphaMin / 2)));
    let [total, distance] = [0, 0];
    for (let i = 0; i < n; i++) [total, distance] = [total + Math.abs(diff[i]!), distance + Math.abs(xMin[i]! - xIn[i]!)];
    const params = {
      rows: 1,
      rowLength: n,
      rank: n,
      maxIterations: 1,
      alphaMin,
      alphaMax: alphaMin + 0.04,
      targetFraction: (distance - 3e-7 * total) / total,
      tolerance: 0,
    };
    const inputs = { gradient, xIn, xBase, diff, xStart, attribution: new Float32Array(n) };
    const x = guidedIgStepRef(inputs, params).x;
    const behind = (i: number) => diff[i] !== 0 && f(f(x[i]! - xBase[i]!) / diff[i]!) < alphaMin;
    if (x.some((v, i) => behind(i) && v !== xMin[i])) return { inputs, params };
  }
}

describe.each(KERNELS)('guided-ig-step after its last allowed move, state in $state', ({ kernel }) => {
  gpuTest('runs no catch-up: features left behind alpha_min by f32 rounding stay where the move put them', async ({ device }) => {
    const { inputs, params } = lastMoveCorner();
    const got = await onGpu(device, inputs, params, kernel);
    const want = guidedIgStepRef(inputs, params);
    expect(bits(got.x, 64)).toEqual(bits(want.x, 64));
    expect(bits(got.attribution, 64)).toEqual(bits(want.attribution, 64));
    expect(liveBufferCount(device)).toBe(0);
  });
});

describe('guidedIgStepFor', () => {
  // Two rows, so that the second starts past 0 (the private slots of a feature index are relative to its row).
  gpuTest.for([GUIDED_IG_SHORT_ROW, GUIDED_IG_SHORT_ROW + 1])(
    'gives lavapipe rows of at most GUIDED_IG_SHORT_ROW features the private arrays, the same bits either side (%i)',
    async (rowLength, { device }) => {
      const p: Path = { rows: 2, rowLength, steps: 64, maxDist: 0.02, fraction: 0.25, gradient: seededF32(2 * rowLength, 18, -1, 1) };
      const inputs = stateAt(p, 3, 19);
      const params = paramsOf(p, 3);
      const kernel = guidedIgStepFor(true, rowLength);
      expect(kernel.constants?.SHORT_ROW).toBe(rowLength <= GUIDED_IG_SHORT_ROW ? 1 : 0);
      expect(guidedIgStepFor(false, rowLength)).toBe(guidedIgStep);
      const got = await onGpu(device, inputs, params, kernel);
      const want = guidedIgStepRef(inputs, params);
      expect(bits(got.x, 2 * rowLength)).toEqual(bits(want.x, 2 * rowLength));
      expect(bits(got.attribution, 2 * rowLength)).toEqual(bits(want.attribution, 2 * rowLength));
      expect(want.x.some((v, i) => v !== inputs.xStart[i])).toBe(true);
      expect(liveBufferCount(device)).toBe(0);
    },
  );
});

describe('fixedOrderSumF32', () => {
  it('adds lane partials in index order, then a pairwise tree', () => {
    expect(fixedOrderSumF32(5, 4, (i) => i + 1)).toBe(15);
    // f32: 1 + 2^-24 rounds back to 1 in a lane, but the two small terms meet first in the tree.
    expect(fixedOrderSumF32(4, 4, (i) => [1, 2 ** -24, 0, 2 ** -24][i]!)).toBe(f(1 + 2 ** -23));
  });
});
