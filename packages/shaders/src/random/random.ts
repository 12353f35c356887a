// SPDX-License-Identifier: Apache-2.0
import { BufferUsage, createBuffer, releaseBuffer } from '../runtime/buffers.js';
import { InvalidOptionError, ShapeMismatchError, throwIfAborted } from '../runtime/errors.js';
import { runKernel } from '../runtime/kernel.js';
import { randomFillKernels, type RandomKind } from './random-fill.kernel.js';
import { checkStreamRange } from './random-fill.ref.js';
import { NORMAL_TABLE } from './normal-table.js';

const normalTables = new WeakMap<GPUDevice, GPUBuffer>();

/**
 * The normal sampler's coefficient table on `device`, uploaded on first use and kept for the
 * device's lifetime (it is not counted by liveBufferCount: it is not a per-call allocation).
 */
function normalTableBuffer(device: GPUDevice): GPUBuffer {
  let table = normalTables.get(device);
  if (!table) {
    const data = Int32Array.from(NORMAL_TABLE);
    table = device.createBuffer({
      label: 'random-fill.normal-table',
      size: data.byteLength,
      usage: BufferUsage.STORAGE | BufferUsage.COPY_DST,
    });
    device.queue.writeBuffer(table, 0, data);
    normalTables.set(device, table);
  }
  return table;
}

/** Which numbers of which stream, and where they go. */
export interface RandomFillOptions {
  /** Integer in [0, 2^53): the stream. */
  readonly seed: number;
  /** How many values to write. */
  readonly count: number;
  /** Index of the first value in the stream (default 0); offset + count <= 2^32. */
  readonly offset?: number;
  /** f32 buffer to write into (from `outputOffset`); a new buffer (caller releases) when omitted. */
  readonly output?: GPUBuffer;
  /** First element of `output` written (default 0). */
  readonly outputOffset?: number;
  readonly signal?: AbortSignal;
}

async function randomFill(device: GPUDevice, kind: RandomKind, options: RandomFillOptions, a: number, b: number) {
  const { seed, count, offset = 0, outputOffset = 0, signal } = options;
  const [seedLo, seedHi] = checkStreamRange(seed, offset, count);
  if (!Number.isInteger(outputOffset) || outputOffset < 0) {
    throw new InvalidOptionError(`random: outputOffset must be an integer >= 0, got ${outputOffset}`);
  }
  if (options.output && options.output.size < (outputOffset + count) * 4) {
    throw new ShapeMismatchError(
      `random: output holds ${options.output.size / 4} f32 values, need outputOffset + count = ${outputOffset + count}`,
    );
  }
  throwIfAborted(signal, `random ${kind}`);
  const output = options.output ?? createBuffer(device, (outputOffset + count) * 4, `random-fill.${kind}`);
  try {
    await runKernel(device, randomFillKernels[kind], {
      params: { count, offset, outputOffset, seedLo, seedHi, a, b },
      output,
      normalTable: normalTableBuffer(device),
    });
  } catch (error) {
    if (!options.output) releaseBuffer(device, output);
    throw error;
  }
  return output;
}

function checkFinite(what: string, value: number): void {
  if (!Number.isFinite(value) || Math.abs(value) > 3.4e38) {
    throw new InvalidOptionError(`random: ${what} must be a finite f32, got ${value}`);
  }
}

/**
 * Writes `count` uniform values in [low, high) (default [0, 1)) of the stream `seed`, starting at
 * stream index `offset`. Value i depends only on (seed, offset + i): batches can be generated in
 * any split. Bit-exact with `uniformRef` for [0, 1).
 *
 * @example
 * const noise = await randomUniform(device, { seed: 7, count: 1024 });
 * (await readFloat32(device, noise, 1024))[0] === uniformRef(7, 0, 1)[0]; // true (bit-identical)
 */
export async function randomUniform(
  device: GPUDevice,
  options: RandomFillOptions & { readonly low?: number; readonly high?: number },
): Promise<GPUBuffer> {
  const { low = 0, high = 1 } = options;
  checkFinite('low', low);
  checkFinite('high', high);
  return randomFill(device, 'uniform', options, low, high - low);
}

/**
 * Writes `count` normal values `mean + std * z` (default standard normal) of the stream `seed`,
 * e.g. SmoothGrad noise. Bit-exact with `normalRef` for mean 0, std 1; scaled values within one
 * rounding of std * z (see random-fill.wgsl).
 *
 * @example
 * const z = await randomNormal(device, { seed: 42, count: 3 });
 * await readFloat32(device, z, 3); // Float32Array [-0.24990150, -0.83619028, -0.19676152] = normalRef(42, 0, 3)
 */
export async function randomNormal(
  device: GPUDevice,
  options: RandomFillOptions & { readonly mean?: number; readonly std?: number },
): Promise<GPUBuffer> {
  const { mean = 0, std = 1 } = options;
  checkFinite('mean', mean);
  checkFinite('std', std);
  return randomFill(device, 'normal', options, mean, std);
}

/**
 * Writes a Bernoulli(p) mask of `count` values (1.0 with probability p, else 0.0), e.g. RISE/LIME
 * masks. Bit-exact with `bernoulliRef`. Uses the uniform stream: mask[i] = uniform[i] < p.
 *
 * @example
 * const mask = await randomBernoulli(device, { seed: 42, count: 6, p: 0.5 });
 * await readFloat32(device, mask, 6); // Float32Array [0, 1, 0, 1, 0, 1]
 */
export async function randomBernoulli(device: GPUDevice, options: RandomFillOptions & { readonly p: number }): Promise<GPUBuffer> {
  if (!(options.p >= 0 && options.p <= 1)) {
    throw new InvalidOptionError(`randomBernoulli: p must be in [0, 1], got ${options.p}`);
  }
  return randomFill(device, 'bernoulli', options, options.p, 0);
}
