// SPDX-License-Identifier: Apache-2.0
// GPU-vs-CPU checks the page runs on load: each kernel against its CPU reference.
import {
  normalRef,
  randomNormal,
  randomUniform,
  readFloat32,
  reduceRows,
  reduceRowsErrorBound,
  reduceRowsRef,
  releaseBuffer,
  uniformRef,
} from '@webxai/shaders';

export interface Check {
  readonly name: string;
  readonly pass: boolean;
  readonly detail: string;
}

const bitsOf = (values: Float32Array) => new Uint32Array(values.buffer, values.byteOffset, values.length);

function countBitDifferences(a: Float32Array, b: Float32Array): number {
  const x = bitsOf(a);
  const y = bitsOf(b);
  let differences = 0;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) differences++;
  return differences;
}

/** random-fill on this GPU against uniformRef/normalRef: must be bit-identical. */
export async function checkRandom(device: GPUDevice, seed: number, count: number): Promise<Check[]> {
  const checks: Check[] = [];
  for (const [kind, generate, reference] of [
    ['uniform', randomUniform, uniformRef],
    ['normal', randomNormal, normalRef],
  ] as const) {
    const buffer = await generate(device, { seed, count });
    const gpu = await readFloat32(device, buffer, count);
    releaseBuffer(device, buffer);
    const differences = countBitDifferences(gpu, reference(seed, 0, count));
    checks.push({
      name: `random-fill ${kind}: ${count.toLocaleString('en')} values bit-identical to the CPU reference`,
      pass: differences === 0,
      detail: `${differences} differ`,
    });
  }
  return checks;
}

/** reduce-rows sum and max per image of a noise batch, against reduceRowsRef. */
export async function checkReduce(device: GPUDevice, input: GPUBuffer, values: Float32Array, rows: number, rowLength: number): Promise<Check> {
  let worst = 0;
  let pass = true;
  for (const op of ['sum', 'max'] as const) {
    const out = await reduceRows(device, { op, input, rows, rowLength });
    const gpu = await readFloat32(device, out, rows);
    releaseBuffer(device, out);
    const ref = reduceRowsRef(op, values, rows, rowLength);
    for (let r = 0; r < rows; r++) {
      // Values are >= 0 here, so sum |x| = sum x: the bound is relative to the result.
      const allowed = op === 'max' ? 0 : (reduceRowsErrorBound(op, rowLength) + 2 ** -24) * Math.abs(ref[r]!);
      const error = Math.abs(gpu[r]! - ref[r]!);
      worst = Math.max(worst, error);
      if (!(error <= allowed)) pass = false;
    }
  }
  return { name: `reduce-rows: sum and max of ${rows} images of ${rowLength.toLocaleString('en')} values`, pass, detail: `max |GPU - CPU| ${worst.toExponential(2)}` };
}
