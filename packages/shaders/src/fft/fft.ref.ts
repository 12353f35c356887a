// SPDX-License-Identifier: Apache-2.0
// f64 CPU references of the FFT kernels, written as the plain sums they stand for (no FFT here).
import type { FourierImageShape } from './fft-plan.js';

/** Number of half-spectrum columns of a real DFT of length w. */
const halfOf = (w: number) => Math.floor(w / 2) + 1;

/**
 * The plain DFT of `count` sequences stored [count, 2, n] ([re | im] per sequence):
 * out[k] = sum_t in[t] e^{sign 2 pi i t k / n}. Reference of the stages of recordFft.
 */
export function dftRef(data: ArrayLike<number>, n: number, count: number, sign: 1 | -1): Float64Array {
  const out = new Float64Array(count * 2 * n);
  for (let b = 0; b < count; b++) {
    const base = b * 2 * n;
    for (let k = 0; k < n; k++) {
      let [re, im] = [0, 0];
      for (let t = 0; t < n; t++) {
        const angle = (sign * 2 * Math.PI * ((t * k) % n)) / n;
        const [x, y] = [data[base + t]!, data[base + n + t]!];
        re += x * Math.cos(angle) - y * Math.sin(angle);
        im += x * Math.sin(angle) + y * Math.cos(angle);
      }
      out[base + k] = re;
      out[base + n + k] = im;
    }
  }
  return out;
}

/**
 * One radix-`radix` Stockham stage of `count` sequences [count, 2, n] ([re | im] per sequence), as
 * fft-stage.wgsl defines it (span = product of the earlier stages' radices): for j < n / R,
 *   out[(j / span) span R + (j mod span) + q span] = sum_r in[j + r n / R] e^{sign 2 pi i r ((j mod span) / (span R) + q / R)}.
 * Reference of one fftStageKernel dispatch (the stages of fftRadices(n) in order give dftRef).
 */
export function fftStageRef(data: ArrayLike<number>, n: number, count: number, radix: number, span: number, sign: 1 | -1): Float64Array {
  const out = new Float64Array(count * 2 * n);
  const perSequence = n / radix;
  for (let b = 0; b < count; b++) {
    const base = b * 2 * n;
    for (let j = 0; j < perSequence; j++) {
      const [block, offset] = [Math.floor(j / span), j % span];
      for (let q = 0; q < radix; q++) {
        let [re, im] = [0, 0];
        for (let r = 0; r < radix; r++) {
          const angle = sign * 2 * Math.PI * ((r * offset) / (span * radix) + ((r * q) % radix) / radix);
          const [x, y] = [data[base + j + r * perSequence]!, data[base + n + j + r * perSequence]!];
          re += x * Math.cos(angle) - y * Math.sin(angle);
          im += x * Math.sin(angle) + y * Math.cos(angle);
        }
        const at = base + block * span * radix + offset + q * span;
        out[at] = re;
        out[at + n] = im;
      }
    }
  }
  return out;
}

/** Row r's half-spectrum value at column v of `half` [rows, 2 W] as [re, im] (0 past the last row). */
function halfValue(half: ArrayLike<number>, rows: number, W: number, r: number, v: number): [number, number] {
  return r < rows ? [half[r * 2 * W + v]!, half[r * 2 * W + W + v]!] : [0, 0];
}

/** Reference of the Hermitian extension (fft-io.wgsl's extendedPair, loadFrom 1): [rows, 2 W] -> pairs [ceil(rows / 2), 2, w]. */
export function hermitianExtendRef(half: ArrayLike<number>, rows: number, w: number): Float64Array {
  const W = halfOf(w);
  const pairs = Math.ceil(rows / 2);
  const out = new Float64Array(pairs * 2 * w);
  const extended = (r: number, x: number): [number, number] => {
    const v = x < W ? x : w - x;
    const [re, im] = halfValue(half, rows, W, r, v);
    const imaginary = v === 0 || 2 * v === w ? 0 : im; // DC and Nyquist keep only their real part
    return [re, x < W ? imaginary : -imaginary];
  };
  for (let k = 0; k < pairs; k++) {
    for (let x = 0; x < w; x++) {
      const [a, b] = [extended(2 * k, x), extended(2 * k + 1, x)];
      out[k * 2 * w + x] = a[0] - b[1]; // a + i b
      out[k * 2 * w + w + x] = a[1] + b[0];
    }
  }
  return out;
}

/**
 * Reference of the Hermitian split (fft-stage.wgsl's splitRow, loadFrom 2): pairs [ceil(rows / 2), 2, w] -> weighted half
 * spectra [rows, 2 W].
 */
export function hermitianSplitRef(pairs: ArrayLike<number>, rows: number, w: number): Float64Array {
  const W = halfOf(w);
  const out = new Float64Array(rows * 2 * W);
  for (let r = 0; r < rows; r++) {
    const k = Math.floor(r / 2);
    for (let v = 0; v < W; v++) {
      const z = [pairs[k * 2 * w + v]!, pairs[k * 2 * w + w + v]!];
      const mirror = (w - v) % w;
      const zm = [pairs[k * 2 * w + mirror]!, -pairs[k * 2 * w + w + mirror]!]; // conj(Z[-v])
      const weight = v === 0 || 2 * v === w ? 1 : 2;
      // Even rows: (Z + conj Z[-v]) / 2; odd rows: (Z - conj Z[-v]) / (2 i) = (d_im, -d_re) / 2.
      const [re, im] = r % 2 === 0 ? [(z[0]! + zm[0]!) / 2, (z[1]! + zm[1]!) / 2] : [(z[1]! - zm[1]!) / 2, -(z[0]! - zm[0]!) / 2];
      out[r * 2 * W + v] = weight * re;
      out[r * 2 * W + W + v] = weight * im;
    }
  }
  return out;
}

/** Plane row r's value at x from packed pairs [ceil(rows / 2), 2, w]: the real part for even r, the imaginary for odd. */
const pairValue = (pairs: ArrayLike<number>, w: number, r: number, x: number) => pairs[Math.floor(r / 2) * 2 * w + (r % 2) * w + x]!;

/** Reference of fourier-image: pairs -> images [images, h, w, c] = sigmoid(factor * planes @ M). */
export function fourierImageRef(pairs: ArrayLike<number>, shape: FourierImageShape): Float64Array {
  const { images, channels: c, height: h, width: w, factor, mix } = shape;
  const out = new Float64Array(images * h * w * c);
  for (let n = 0; n < images; n++) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        for (let j = 0; j < c; j++) {
          let z = 0;
          for (let i = 0; i < c; i++) z += factor * pairValue(pairs, w, (n * c + i) * h + y, x) * (c === 1 ? mix[0]! : mix[i * 3 + j]!);
          out[((n * h + y) * w + x) * c + j] = 1 / (1 + Math.exp(-z));
        }
      }
    }
  }
  return out;
}

/** Reference of fourier-image-adjoint: images and their gradient [images, h, w, c] -> packed plane-row gradients. */
export function fourierImageAdjointRef(image: ArrayLike<number>, gradient: ArrayLike<number>, shape: FourierImageShape): Float64Array {
  const { images, channels: c, height: h, width: w, factor, mix } = shape;
  const rows = images * c * h;
  const out = new Float64Array(Math.ceil(rows / 2) * 2 * w);
  for (let r = 0; r < rows; r++) {
    const [p, y] = [Math.floor(r / h), r % h];
    const [n, i] = [Math.floor(p / c), p % c];
    for (let x = 0; x < w; x++) {
      let g = 0;
      for (let j = 0; j < c; j++) {
        const at = ((n * h + y) * w + x) * c + j;
        const s = image[at]!;
        g += factor * (c === 1 ? mix[0]! : mix[i * 3 + j]!) * gradient[at]! * s * (1 - s);
      }
      out[Math.floor(r / 2) * 2 * w + (r % 2) * w + x] = g;
    }
  }
  return out;
}

/** Weight of half-spectrum column v of width w: 1 for the DC and (even w) Nyquist columns, 2 otherwise. */
const columnWeight = (v: number, w: number) => (v === 0 || 2 * v === w ? 1 : 2);

/**
 * The parametrisation's planes [planes, h, w] from half spectra [planes, h, 2 W] and the 1/f
 * `scale` [h, 2 W]: x[y, x] = Re sum_u sum_{v < W} c_v s A[u, v] e^{2 pi i (u y / h + v x / w)}
 * (c_v: {@link columnWeight}), summed separably in f64 (over u, then over v). No factor, mix or sigmoid.
 */
export function inverseRealDft2dRef(
  spectra: ArrayLike<number>,
  scale: ArrayLike<number>,
  planes: number,
  h: number,
  w: number,
): Float64Array {
  const W = halfOf(w);
  const out = new Float64Array(planes * h * w);
  const [rowRe, rowIm] = [new Float64Array(h * W), new Float64Array(h * W)];
  for (let p = 0; p < planes; p++) {
    // R[y, v] = sum_u s A[u, v] e^{2 pi i u y / h}
    for (let y = 0; y < h; y++) {
      for (let v = 0; v < W; v++) {
        let [re, im] = [0, 0];
        for (let u = 0; u < h; u++) {
          const at = p * h * 2 * W + u * 2 * W + v;
          const [a, b] = [spectra[at]! * scale[u * 2 * W + v]!, spectra[at + W]! * scale[u * 2 * W + W + v]!];
          const angle = (2 * Math.PI * ((u * y) % h)) / h;
          re += a * Math.cos(angle) - b * Math.sin(angle);
          im += a * Math.sin(angle) + b * Math.cos(angle);
        }
        rowRe[y * W + v] = re;
        rowIm[y * W + v] = im;
      }
    }
    // x[y, x] = sum_v c_v Re(R[y, v] e^{2 pi i v x / w})
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        let sum = 0;
        for (let v = 0; v < W; v++) {
          const angle = (2 * Math.PI * ((v * x) % w)) / w;
          sum += columnWeight(v, w) * (rowRe[y * W + v]! * Math.cos(angle) - rowIm[y * W + v]! * Math.sin(angle));
        }
        out[(p * h + y) * w + x] = sum;
      }
    }
  }
  return out;
}

/**
 * The adjoint of {@link inverseRealDft2dRef} in `spectra`: plane gradients [planes, h, w] ->
 * [planes, h, 2 W], g_re[u, v] = s sum_{y, x} c_v g[y, x] cos(angle), g_im = -s sum c_v g sin(angle)
 * with angle = 2 pi (u y / h + v x / w); summed separably in f64 (over x, then over y).
 */
export function inverseRealDft2dAdjointRef(
  planeGradient: ArrayLike<number>,
  scale: ArrayLike<number>,
  planes: number,
  h: number,
  w: number,
): Float64Array {
  const W = halfOf(w);
  const out = new Float64Array(planes * h * 2 * W);
  const [rowRe, rowIm] = [new Float64Array(h * W), new Float64Array(h * W)];
  for (let p = 0; p < planes; p++) {
    // G[y, v] = c_v sum_x g[y, x] e^{-2 pi i v x / w}
    for (let y = 0; y < h; y++) {
      for (let v = 0; v < W; v++) {
        let [re, im] = [0, 0];
        for (let x = 0; x < w; x++) {
          const angle = (2 * Math.PI * ((v * x) % w)) / w;
          re += planeGradient[(p * h + y) * w + x]! * Math.cos(angle);
          im -= planeGradient[(p * h + y) * w + x]! * Math.sin(angle);
        }
        rowRe[y * W + v] = columnWeight(v, w) * re;
        rowIm[y * W + v] = columnWeight(v, w) * im;
      }
    }
    // gA[u, v] = s sum_y G[y, v] e^{-2 pi i u y / h}
    for (let u = 0; u < h; u++) {
      for (let v = 0; v < W; v++) {
        let [re, im] = [0, 0];
        for (let y = 0; y < h; y++) {
          const angle = (2 * Math.PI * ((u * y) % h)) / h;
          const [a, b] = [rowRe[y * W + v]!, rowIm[y * W + v]!];
          re += a * Math.cos(angle) + b * Math.sin(angle);
          im += b * Math.cos(angle) - a * Math.sin(angle);
        }
        const at = p * h * 2 * W + u * 2 * W + v;
        out[at] = scale[u * 2 * W + v]! * re;
        out[at + W] = scale[u * 2 * W + W + v]! * im;
      }
    }
  }
  return out;
}

/**
 * Planar complex rows [rows, 2, k] ([re | im] per row) as interleaved ones [rows, k, 2] ((re, im)
 * adjacent): the layout fft-whole reads and writes with one vec2 per value (FftRun.srcLayout and
 * interleavedOutput; the Fourier parametrisation's scratch half spectra [rows, W] and row pairs
 * [ceil(rows / 2), w]). The reference of an interleaved run is this of the planar run's reference.
 */
export function interleaveComplexRows(planar: ArrayLike<number>, rows: number, k: number): Float64Array {
  const out = new Float64Array(rows * 2 * k);
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < k; i++) {
      out[(r * k + i) * 2] = planar[r * 2 * k + i]!;
      out[(r * k + i) * 2 + 1] = planar[r * 2 * k + k + i]!;
    }
  }
  return out;
}

/** The inverse of {@link interleaveComplexRows}: interleaved rows [rows, k, 2] as planar ones [rows, 2, k]. */
export function planarComplexRows(interleaved: ArrayLike<number>, rows: number, k: number): Float64Array {
  const out = new Float64Array(rows * 2 * k);
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < k; i++) {
      out[r * 2 * k + i] = interleaved[(r * k + i) * 2]!;
      out[r * 2 * k + k + i] = interleaved[(r * k + i) * 2 + 1]!;
    }
  }
  return out;
}

/** The DFT along u of every column v of `rows` [planes, h, 2 W] ([re | im] per row): the column FFT's layout. */
export function columnDftRef(data: ArrayLike<number>, planes: number, h: number, W: number, sign: 1 | -1): Float64Array {
  const at = (p: number, u: number, v: number) => (p * h + u) * 2 * W + v;
  const sequences = new Float64Array(planes * W * 2 * h);
  for (let p = 0; p < planes; p++) {
    for (let v = 0; v < W; v++) {
      for (let u = 0; u < h; u++) {
        sequences[(p * W + v) * 2 * h + u] = data[at(p, u, v)]!;
        sequences[(p * W + v) * 2 * h + h + u] = data[at(p, u, v) + W]!;
      }
    }
  }
  const transformed = dftRef(sequences, h, planes * W, sign);
  const out = new Float64Array(planes * h * 2 * W);
  for (let p = 0; p < planes; p++) {
    for (let v = 0; v < W; v++) {
      for (let u = 0; u < h; u++) {
        out[at(p, u, v)] = transformed[(p * W + v) * 2 * h + u]!;
        out[at(p, u, v) + W] = transformed[(p * W + v) * 2 * h + h + u]!;
      }
    }
  }
  return out;
}
