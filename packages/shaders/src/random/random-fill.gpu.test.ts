// SPDX-License-Identifier: Apache-2.0
import { describe, expect } from 'vitest';
import { gpuTest } from '@webxai/testing';
import { createBuffer, liveBufferCount, readFloat32, releaseBuffer } from '../runtime/buffers.js';
import { AbortedError, ShapeMismatchError, XaiError } from '../runtime/errors.js';
import { normalUpperTail } from './normal-quantile.js';
import { bernoulliRef, normalRef, uniformRef } from './random-fill.ref.js';
import { randomBernoulli, randomNormal, randomUniform } from './random.js';

/** Bit patterns, so that -0 vs +0 and NaN payloads count as differences. */
const bits = (values: Float32Array) => Array.from(new Uint32Array(values.buffer, values.byteOffset, values.length));

async function read(device: GPUDevice, buffer: GPUBuffer, count: number) {
  const values = await readFloat32(device, buffer, count);
  releaseBuffer(device, buffer);
  return values;
}

/** One-sided standard normal quantile for tail probability 1e-6 (each statistical check fails by chance with p <= 2e-6). */
const Z = 4.753;

/** Wilson-Hilferty approximation of the chi-square quantile with `dof` degrees of freedom at standard normal quantile z. */
const chiSquareQuantile = (dof: number, z: number) => dof * (1 - 2 / (9 * dof) + z * Math.sqrt(2 / (9 * dof))) ** 3;

/** Pearson chi-square statistic of `values` mapped to [0, 1) by `cdf`, in `bins` equal bins. */
function chiSquare(values: Float32Array, bins: number, cdf: (v: number) => number): number {
  const counts = new Float64Array(bins);
  for (const v of values) counts[Math.min(bins - 1, Math.floor(cdf(v) * bins))]!++;
  const expected = values.length / bins;
  return counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
}

function meanAndVariance(values: Float32Array): [number, number] {
  let mean = 0;
  for (const v of values) mean += v;
  mean /= values.length;
  let variance = 0;
  for (const v of values) variance += (v - mean) ** 2;
  return [mean, variance / (values.length - 1)];
}

const CASES = [
  { count: 1, offset: 0, why: 'one value' },
  { count: 200, offset: 7, why: 'less than one workgroup' },
  { count: 1000, offset: 123_456, why: 'ragged last workgroup' },
  { count: 70_001, offset: 2 ** 32 - 70_001, why: 'the end of the u32 counter range' },
  { count: 224 * 224 * 3 * 2, offset: 0, why: 'two 224x224x3 noise images' },
];

describe('random-fill parity (bit-exact)', () => {
  gpuTest.for(CASES)(
    'uniform, normal and Bernoulli match the references: $count at $offset ($why)',
    async ({ count, offset }, { device }) => {
      const seed = 20_240_601 + count;
      expect(bits(await read(device, await randomUniform(device, { seed, offset, count }), count))).toEqual(
        bits(uniformRef(seed, offset, count)),
      );
      expect(bits(await read(device, await randomNormal(device, { seed, offset, count }), count))).toEqual(
        bits(normalRef(seed, offset, count)),
      );
      expect(bits(await read(device, await randomBernoulli(device, { seed, offset, count, p: 0.3 }), count))).toEqual(
        bits(bernoulliRef(seed, offset, count, 0.3)),
      );
      expect(liveBufferCount(device)).toBe(0);
    },
  );

  gpuTest('any batch split gives the same numbers (value i depends only on seed and i)', async ({ device }) => {
    const seed = 2 ** 40 + 5; // exercises the key's high word
    const total = 10_000;
    for (const generate of [randomUniform, randomNormal] as const) {
      const whole = await read(device, await generate(device, { seed, count: total }), total);
      const pieces = createBuffer(device, total * 4, 'pieces');
      for (const [start, end] of [
        [0, 1],
        [1, 4_097],
        [4_097, 9_000],
        [9_000, total],
      ] as const) {
        await generate(device, { seed, offset: start, count: end - start, output: pieces, outputOffset: start });
      }
      expect(bits(await read(device, pieces, total))).toEqual(bits(whole));
    }
  });

  gpuTest('same seed gives the same numbers; other seeds, streams and offsets give others', async ({ device }) => {
    const count = 20_000;
    const a = await read(device, await randomUniform(device, { seed: 1, count }), count);
    expect(bits(await read(device, await randomUniform(device, { seed: 1, count }), count))).toEqual(bits(a));
    // Independent uniforms on a 2^-24 grid coincide with probability 2^-24 each: expect ~0.001 matches.
    const matches = (x: Float32Array, y: Float32Array) => x.reduce((n, v, i) => n + (v === y[i] ? 1 : 0), 0);
    for (const other of [0, 2, 2 ** 32 + 1, 2 ** 53 - 1]) {
      expect(matches(a, await read(device, await randomUniform(device, { seed: other, count }), count)), `seed ${other}`).toBeLessThan(3);
    }
    expect(matches(a, await read(device, await randomUniform(device, { seed: 1, offset: 1, count }), count))).toBeLessThan(3);
    // The normal stream is not the uniform stream in disguise: its sign bits do not follow u < 1/2.
    const z = await read(device, await randomNormal(device, { seed: 1, count }), count);
    const agree = z.reduce((n, v, i) => n + (v < 0 === a[i]! >= 0.5 ? 1 : 0), 0);
    expect(Math.abs(agree - count / 2)).toBeLessThan(Z * Math.sqrt(count / 4));
  });

  gpuTest('scaled outputs are within one rounding of b * v of the reference', async ({ device }) => {
    const count = 50_000;
    const cases = [
      {
        kind: 'normal',
        gpu: () => randomNormal(device, { seed: 9, count, mean: 3, std: 0.5 }),
        ref: normalRef(9, 0, count, 3, 0.5),
        v: normalRef(9, 0, count),
        b: 0.5,
      },
      {
        kind: 'uniform',
        gpu: () => randomUniform(device, { seed: 9, count, low: -2, high: 5 }),
        ref: uniformRef(9, 0, count, -2, 5),
        v: uniformRef(9, 0, count),
        b: 7,
      },
    ] as const;
    for (const { kind, gpu, ref, v, b } of cases) {
      const out = await read(device, await gpu(), count);
      // Fused: |fl(b v + a) - fl(fl(b v) + a)| <= u |b v| + 2 u |result| (u = 2^-24): one rounding of b v, two of the sum.
      for (let i = 0; i < count; i++) {
        const bound = 2 ** -24 * Math.abs(b * v[i]!) + 2 ** -23 * Math.abs(ref[i]!);
        if (!(Math.abs(out[i]! - ref[i]!) <= bound)) expect.fail(`${kind}[${i}]: gpu ${out[i]} ref ${ref[i]}`);
      }
    }
  });
});

describe('random-fill distributions (1e6 samples; each bound fails by chance with p <= 2e-6)', () => {
  const n = 1_000_000;

  gpuTest('uniform: mean, variance and a 100-bin chi-square', async ({ device }) => {
    const u = await read(device, await randomUniform(device, { seed: 123, count: n }), n);
    expect(Math.min(...u.subarray(0, 1000))).toBeGreaterThanOrEqual(0);
    expect(u.every((v) => v >= 0 && v < 1)).toBe(true);
    const [mean, variance] = meanAndVariance(u);
    // u = k 2^-24, k uniform on 0 .. 2^24 - 1: E u = (1 - 2^-24) / 2, Var u = (1 - 2^-48) / 12.
    // sd(mean) = sqrt(Var u / n); sd(sample variance) = sqrt((mu4 - sigma^4) / n) = sqrt((1/80 - 1/144) / n).
    expect(Math.abs(mean - (1 - 2 ** -24) / 2)).toBeLessThan(Z * Math.sqrt(1 / 12 / n));
    expect(Math.abs(variance - (1 - 2 ** -48) / 12)).toBeLessThan(Z * Math.sqrt((1 / 80 - 1 / 144) / n));
    const chi2 = chiSquare(u, 100, (v) => v);
    expect(chi2).toBeLessThan(chiSquareQuantile(99, Z));
    expect(chi2).toBeGreaterThan(chiSquareQuantile(99, -Z)); // too good a fit is suspicious too
  });

  gpuTest('normal: mean, variance, symmetry and a 100-bin chi-square of Phi(z)', async ({ device }) => {
    const z = await read(device, await randomNormal(device, { seed: 321, count: n }), n);
    const [mean, variance] = meanAndVariance(z);
    // sd(mean) = 1 / sqrt(n); sd(sample variance) = sqrt((mu4 - 1) / n) = sqrt(2 / n).
    expect(Math.abs(mean)).toBeLessThan(Z / Math.sqrt(n));
    expect(Math.abs(variance - 1)).toBeLessThan(Z * Math.sqrt(2 / n));
    const negatives = z.reduce((c, v) => c + (v < 0 ? 1 : 0), 0);
    expect(Math.abs(negatives - n / 2)).toBeLessThan(Z * Math.sqrt(n / 4));
    expect(z.every((v) => Math.abs(v) <= 6.34)).toBe(true);
    // Probability integral transform: Phi(Z) is uniform iff Z is standard normal.
    const phi = (v: number) => (v >= 0 ? 1 - normalUpperTail(v) : normalUpperTail(-v));
    const chi2 = chiSquare(z, 100, phi);
    expect(chi2).toBeLessThan(chiSquareQuantile(99, Z));
    expect(chi2).toBeGreaterThan(chiSquareQuantile(99, -Z));
  });

  gpuTest('Bernoulli(p): the frequency of ones is within 4.75 sd of p', async ({ device }) => {
    for (const p of [0.5, 0.1, 0]) {
      const mask = await read(device, await randomBernoulli(device, { seed: 77, count: n, p }), n);
      expect(mask.every((v) => v === 0 || v === 1)).toBe(true);
      const ones = mask.reduce((s, v) => s + v, 0);
      const exactP = Math.ceil(Math.fround(p) * 2 ** 24) / 2 ** 24; // P(k 2^-24 < p) for k uniform on 0 .. 2^24 - 1
      expect(Math.abs(ones - n * exactP)).toBeLessThanOrEqual(Z * Math.sqrt(n * exactP * (1 - exactP)));
    }
  });
});

describe('random-fill API', () => {
  gpuTest('rejects bad seeds, ranges, probabilities, outputs and aborted signals, leaking nothing', async ({ device }) => {
    const before = liveBufferCount(device);
    await expect(randomUniform(device, { seed: -1, count: 4 })).rejects.toThrow(/seed must be an integer/);
    await expect(randomUniform(device, { seed: 1.5, count: 4 })).rejects.toThrow(XaiError);
    await expect(randomNormal(device, { seed: 1, count: 4, offset: 2 ** 32 - 3 })).rejects.toThrow(/offset \+ count <= 2\^32/);
    await expect(randomNormal(device, { seed: 1, count: 4, std: Number.NaN })).rejects.toThrow(/std must be a finite f32/);
    await expect(randomBernoulli(device, { seed: 1, count: 4, p: 1.5 })).rejects.toThrow(/p must be in \[0, 1\]/);
    const small = createBuffer(device, 16, 'small');
    await expect(randomUniform(device, { seed: 1, count: 4, output: small, outputOffset: 1 })).rejects.toThrow(ShapeMismatchError);
    releaseBuffer(device, small);
    const controller = new AbortController();
    controller.abort();
    await expect(randomUniform(device, { seed: 1, count: 4, signal: controller.signal })).rejects.toThrow(AbortedError);
    expect(liveBufferCount(device)).toBe(before);
  });
});
