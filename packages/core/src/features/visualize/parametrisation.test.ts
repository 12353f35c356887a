// SPDX-License-Identifier: Apache-2.0
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { seededF32 } from '@webxai/testing';
import { disposeBasis, imageBasis, imageVjp, toImage, variableShape, type Parametrisation } from './parametrisation.js';

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

/** The Fourier parametrisation by its definition, summed term by term in f64 (before the colour mix). */
function naivePlanes(vars: Float32Array, count: number, h: number, w: number, c: number): number[] {
  const W = Math.floor(w / 2) + 1;
  const freq = (i: number, n: number) => (i < Math.ceil(n / 2) ? i : i - n) / n;
  const out: number[] = [];
  for (let n = 0; n < count; n++) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        for (let ch = 0; ch < c; ch++) {
          let s = 0;
          for (let u = 0; u < h; u++) {
            for (let v = 0; v < W; v++) {
              const scale = 1 / Math.max(Math.hypot(freq(u, h), v / w), 1 / Math.max(h, w));
              const base = ((n * c + ch) * h + u) * 2 * W;
              const [re, im] = [vars[base + v]! * scale, vars[base + W + v]! * scale];
              const angle = 2 * Math.PI * ((u * y) / h + (v * x) / w);
              const weight = v === 0 || (w % 2 === 0 && v === w / 2) ? 1 : 2;
              s += weight * (re * Math.cos(angle) - im * Math.sin(angle));
            }
          }
          out.push((0.25 * s) / Math.sqrt(h * w));
        }
      }
    }
  }
  return out;
}

describe('image parametrisations', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
  afterAll(async () => {
    await tf.setBackend('webgpu');
  });

  it('fourier: sigmoid of the scaled inverse real DFT, odd and even widths, one channel', () => {
    for (const [h, w] of [
      [5, 6],
      [4, 7],
    ] as const) {
      const shape = variableShape('fourier', 2, [h, w, 1]);
      const vars = seededF32(
        shape.reduce((a, b) => a * b),
        h * w,
        -1,
        1,
      );
      const basis = imageBasis('fourier', 2, [h, w, 1]);
      const image = tf.tidy(() => toImage(basis, tf.tensor(vars, shape)));
      expect(image.shape).toEqual([2, h, w, 1]);
      expect(Array.from(image.dataSync())).toBeAllClose(naivePlanes(vars, 2, h, w, 1).map(sigmoid), { abs: 1e-6, rel: 1e-5 });
      image.dispose();
      disposeBasis(basis);
    }
  });

  it('fourier with colour: the three planes mixed by the normalised colour correlation root', () => {
    const [h, w] = [4, 4];
    const shape = variableShape('fourier', 1, [h, w, 3]);
    const vars = seededF32(
      shape.reduce((a, b) => a * b),
      3,
      -1,
      1,
    );
    const basis = imageBasis('fourier', 1, [h, w, 3]);
    const image = tf.tidy(() => toImage(basis, tf.tensor(vars, shape)));
    const planes = naivePlanes(vars, 1, h, w, 3);
    const C = [
      [0.26, 0.09, 0.02],
      [0.27, 0.0, -0.05],
      [0.27, -0.09, 0.03],
    ];
    const norm = Math.max(...[0, 1, 2].map((j) => Math.hypot(C[0]![j]!, C[1]![j]!, C[2]![j]!)));
    const want = planes.map((_, i) => {
      const p = i - (i % 3);
      return sigmoid([0, 1, 2].reduce((s, k) => s + planes[p + k]! * C[i % 3]![k]!, 0) / norm);
    });
    expect(Array.from(image.dataSync())).toBeAllClose(want, { abs: 1e-6, rel: 1e-5 });
    tf.dispose(image);
    disposeBasis(basis);
  });

  it('pixel: sigmoid of the variables', () => {
    const vars = seededF32(2 * 3 * 3, 4, -2, 2);
    const basis = imageBasis('pixel', 2, [3, 3, 1]);
    const image = tf.tidy(() => toImage(basis, tf.tensor(vars, [2, 3, 3, 1])));
    expect(Array.from(image.dataSync())).toBeAllClose(Array.from(vars, sigmoid), { abs: 1e-6, rel: 1e-6 });
    image.dispose();
    disposeBasis(basis);
  });

  it("imageVjp equals tfjs's gradient of sum(g * toImage(v)) (fourier odd/even widths, 1 and 3 channels; pixel)", () => {
    const cases: [Parametrisation, number, number, number][] = [
      ['fourier', 5, 6, 1],
      ['fourier', 4, 7, 3],
      ['fourier', 6, 6, 3],
      ['pixel', 3, 4, 3],
    ];
    for (const [kind, h, w, c] of cases) {
      const shape = variableShape(kind, 2, [h, w, c]);
      const basis = imageBasis(kind, 2, [h, w, c]);
      const v = tf.tensor(
        seededF32(
          shape.reduce((a, b) => a * b),
          h + w + c,
          -1,
          1,
        ),
        shape,
      );
      const g = tf.tensor4d(seededF32(2 * h * w * c, 7 * h + w, -1, 1), [2, h, w, c]);
      const want = tf.tidy(() => tf.grad((x: tf.Tensor) => tf.sum(tf.mul(toImage(basis, x), g)))(v));
      const got = tf.tidy(() => imageVjp(basis, toImage(basis, v), g));
      expect(got.shape, kind).toEqual(shape);
      expect(Array.from(got.dataSync()), `${kind} ${h}x${w}x${c}`).toBeAllClose(Array.from(want.dataSync()), { abs: 1e-6, rel: 1e-4 });
      tf.dispose([v, g, want, got]);
      disposeBasis(basis);
    }
  });
  it('runs only vec4-friendly matMuls: no 3 x 3 colour product, the half spectrum padded to a multiple of 4, rows folded by parity; leaks nothing', async () => {
    const [h, w] = [4, 4]; // 2 W' = 6 columns of re | im, padded to 8
    const shape = variableShape('fourier', 2, [h, w, 3]);
    const basis = imageBasis('fourier', 2, [h, w, 3]);
    const v = tf.tensor(
      seededF32(
        shape.reduce((a, b) => a * b),
        11,
        -1,
        1,
      ),
      shape,
    );
    const g = tf.tensor4d(seededF32(2 * h * w * 3, 12, -1, 1), [2, h, w, 3]);
    const before = tf.memory().numTensors;
    const profile = await tf.profile(() =>
      tf.tidy(() => {
        const image = toImage(basis, v);
        return [image, imageVjp(basis, image, g)];
      }),
    );
    const outputs = profile.result as tf.Tensor[];
    const matMuls = profile.kernels.filter((k) => k.name === 'BatchMatMul');
    // Each way, the inverse DFT's products (one per output-row parity for the rows, one for the
    // columns; the colour mix is elementwise), every operand's last size a multiple of 4
    // (tfjs-webgpu's vec4 condition), and the row products half the size of the unfolded [2h, 2h].
    expect(matMuls).toHaveLength(6);
    expect(matMuls.flatMap((k) => k.inputShapes.map((s) => s.at(-1)! % 4))).toEqual(new Array(12).fill(0));
    expect(matMuls.filter((k) => k.inputShapes[0]!.length === 2 && k.inputShapes[0]![0] === h)).toHaveLength(4);
    tf.dispose(outputs);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([v, g]);
    disposeBasis(basis);
  });
});
