// fft-stage.wgsl
//
// One radix-R stage of a Stockham autosort FFT (decimation in time), on many complex sequences of
// length n at once. Running the stages for the radices of n = R_1 R_2 ... (span = R_1 ... R_{s-1}
// before stage s, 1 at the first) ping-ponging between two buffers gives the DFT in natural order:
//   out[k] = sum_t in[t] e^{sign 2 pi i t k / n}   (sign +1: the inverse DFT without 1/n; -1: forward).
// Stage (radix R, span Ns), for j < n / R: v_r = in[j + r n / R] * w^(r (j mod Ns) n / (Ns R)),
// then the R-point DFT of v goes to out[(j / Ns) Ns R + (j mod Ns) + q Ns], q < R; w = e^{sign 2 pi i / n}.
//
// Layout: complex values split, real part at `address`, imaginary part at `address + imOffset`;
// sequence b, element e is at (b / inner) * outerStride + (b mod inner) + e * elemStride. So one
// kernel runs along the columns of [P, h, 2 W] half spectra ([re | im] per row) and along rows.
// `twiddles` holds w^k, k < n, as (cos, sin) of 2 pi k / n (from f64); sign conjugates them.
// `scaleAt` 1 multiplies each loaded element by scale[(b mod inner) + e * elemStride] (the 1/f
// spectrum scale of the first forward stage), 2 each stored one (the last adjoint stage), 0 none.
// The Fourier parametrisation's FFTs (fft-plan.ts) fold their neighbouring passes into their first
// and last stages; its sizes are `rows` = images * channels * height plane rows of real length
// `width`, its colour mix M = m0..m8 (row-major) and plane `factor`:
// `loadFrom` (first stage) 1 / 2 reads through the Hermitian extension of half spectra / the
// Hermitian split of packed row pairs, 3 reads the colour-mixed planes (see load());
// `storeTo` (last stage) 1 writes sigmoid(factor * value) of each of the pair's two plane rows to
// the NHWC image [images, height, width, channels] (see storeImage()).
//
// Dispatch: one invocation per (sequence, j): count * n / R threads, 1-D folded (linearIndex). No
// workgroup memory, no barriers: a stage per dispatch. The radix is the override constant RADIX
// (<= MAX_RADIX = 16; one pipeline per radix), so the R-point DFT's loops unroll and its twiddle
// indices fold to constants; radix 2, 4, 8 and 16 are butterflies (8 = 2 x 4, 16 = 4 x 4, their
// inner twiddles constants), 3, 5 and 7 the odd-prime butterfly (oddPrimeDft: r paired with R - r,
// constant twiddles; until session 11 the plain O(R^2) sum with twiddles read from memory), 14 two
// 7-point ones and a radix-2 butterfly (so 224 = 16 x 14, two stages). Software adapters pay mostly per invocation
// and per dispatch, so fewer, larger stages are cheaper (fftRadices).
// `batchFastest` 1 gives neighbouring invocations neighbouring sequences (the column FFT, whose
// sequences are adjacent in memory), 0 neighbouring elements (the row FFT). Integer division by
// the uniforms goes through an f32 reciprocal (divmod): software adapters run vector integer
// division one lane at a time. Tolerance: fft.kernel.ts.

override WORKGROUP_SIZE: u32;
override RADIX: u32;

const MAX_RADIX: u32 = 16u;

struct Params {
  n: u32,
  span: u32,
  count: u32,
  inner: u32,
  outerStride: u32,
  elemStride: u32,
  imOffset: u32,
  scaleAt: u32,
  batchFastest: u32,
  sign: f32,
  loadFrom: u32,
  storeTo: u32,
  rows: u32,
  width: u32,
  height: u32,
  channels: u32,
  factor: f32,
  m0: f32,
  m1: f32,
  m2: f32,
  m3: f32,
  m4: f32,
  m5: f32,
  m6: f32,
  m7: f32,
  m8: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read> twiddles: array<f32>;
@group(0) @binding(3) var<storage, read> scale: array<f32>;
@group(0) @binding(4) var<storage, read_write> dst: array<f32>;

// (a / d, a % d) for a < 2^24 (exact in f32): the f32 quotient is off by at most one, corrected exactly.
fn divmod(a: u32, d: u32) -> vec2u {
  var q = i32(f32(a) * (1.0 / f32(d)));
  var r = i32(a) - q * i32(d);
  if (r < 0) {
    q -= 1;
    r += i32(d);
  } else if (r >= i32(d)) {
    q += 1;
    r -= i32(d);
  }
  return vec2u(u32(q), u32(r));
}

// w^k = e^{sign 2 pi i k / n} for k < n.
fn twiddle(k: u32) -> vec2f {
  return vec2f(twiddles[2u * k], params.sign * twiddles[2u * k + 1u]);
}

fn cmul(a: vec2f, b: vec2f) -> vec2f {
  return vec2f(a.x * b.x - a.y * b.y, a.x * b.y + a.y * b.x);
}

// i^sign * a: the radix-4 butterfly's quarter turn.
fn quarterTurn(a: vec2f) -> vec2f {
  return params.sign * vec2f(-a.y, a.x);
}

// w8 a = e^{sign i pi / 4} a = (a + i^sign a) / sqrt(2): the radix-8 butterfly's eighth turn.
fn eighthTurn(a: vec2f) -> vec2f {
  return (a + quarterTurn(a)) * 0.70710678118654752;
}

// (cos, sin)(pi k / 8) for k <= 9: the radix-16 butterfly's twiddles w16^k (k = b q1 <= 9).
const COS16 = array<f32, 10>(1.0, 0.92387953251128674, 0.70710678118654752, 0.38268343236508977, 0.0,
  -0.38268343236508977, -0.70710678118654752, -0.92387953251128674, -1.0, -0.92387953251128674);
const SIN16 = array<f32, 10>(0.0, 0.38268343236508977, 0.70710678118654752, 0.92387953251128674, 1.0,
  0.92387953251128674, 0.70710678118654752, 0.38268343236508977, 0.0, -0.38268343236508977);

// w16^k a = e^{sign i pi k / 8} a for k <= 9.
fn turn16(a: vec2f, k: u32) -> vec2f {
  return cmul(a, vec2f(COS16[k], params.sign * SIN16[k]));
}

// The 4-point DFT of (a, b, c, d): out[q] = sum_r x_r i^(sign r q).
fn dft4(a: vec2f, b: vec2f, c: vec2f, d: vec2f) -> array<vec2f, 4> {
  let sac = a + c;
  let dac = a - c;
  let sbd = b + d;
  let dbd = quarterTurn(b - d);
  return array<vec2f, 4>(sac + sbd, dac + dbd, sac - sbd, dac - dbd);
}

// (cos, sin)(2 pi k / R) for k < R, R = 3, 5, 7 (from f64): the odd-prime butterflies' twiddles.
const COS3 = array<f32, 3>(1.0, -0.5, -0.5);
const SIN3 = array<f32, 3>(0.0, 0.86602540378443865, -0.86602540378443865);
const COS5 = array<f32, 5>(1.0, 0.30901699437494742, -0.80901699437494742, -0.80901699437494742, 0.30901699437494742);
const SIN5 = array<f32, 5>(0.0, 0.95105651629515357, 0.58778525229247313, -0.58778525229247313, -0.95105651629515357);
const COS7 = array<f32, 7>(1.0, 0.62348980185873353, -0.22252093395631440, -0.90096886790241913, -0.90096886790241913,
  -0.22252093395631440, 0.62348980185873353);
const SIN7 = array<f32, 7>(0.0, 0.78183148246802981, 0.97492791218182361, 0.43388373911755812, -0.43388373911755812,
  -0.97492791218182361, -0.78183148246802981);

// (cos, sin)(2 pi k / 14) for k < 7: radix 14's turns of the odd half.
const COS14 = array<f32, 7>(1.0, 0.90096886790241913, 0.62348980185873353, 0.22252093395631440, -0.22252093395631440,
  -0.62348980185873353, -0.90096886790241913);
const SIN14 = array<f32, 7>(0.0, 0.43388373911755812, 0.78183148246802981, 0.97492791218182361, 0.97492791218182361,
  0.78183148246802981, 0.43388373911755812);

// The odd prime P of this stage's radix: RADIX itself (3, 5, 7), or 7 for radix 14 = 2 x 7.
fn oddPrime() -> u32 {
  return select(RADIX, 7u, RADIX == 14u);
}

// w_P^k = (cos, sin)(2 pi k / P) for k < P (the sign applied by the caller).
fn primeTwiddle(k: u32) -> vec2f {
  if (oddPrime() == 3u) {
    return vec2f(COS3[k], SIN3[k]);
  }
  if (oddPrime() == 5u) {
    return vec2f(COS5[k], SIN5[k]);
  }
  return vec2f(COS7[k], SIN7[k]);
}

// The P-point DFT (P = oddPrime(): 3, 5, 7) of x_r = v[first + stride r], r < P, pairing r with P - r:
// with sums s_r = x_r + x_{P-r} and differences d_r = x_r - x_{P-r} (r = 1 .. H = (P - 1) / 2),
//   out[q], out[P - q] = (x_0 + sum_r s_r cos(2 pi r q / P)) +- i^sign sum_r d_r sin(2 pi r q / P),
// out[0] = x_0 + sum_r s_r: H^2 real-times-complex products each for the even and odd halves (a
// quarter of the plain sum's complex products), constant twiddles (RADIX is a pipeline constant).
fn oddPrimeDft(v: ptr<function, array<vec2f, MAX_RADIX>>, first: u32, stride: u32) -> array<vec2f, 8> {
  let P = oddPrime();
  var sums: array<vec2f, 4>;
  var differences: array<vec2f, 4>;
  let x0 = (*v)[first];
  var total = x0;
  for (var r = 1u; r <= P / 2u; r++) {
    let a = (*v)[first + stride * r];
    let b = (*v)[first + stride * (P - r)];
    sums[r - 1u] = a + b;
    differences[r - 1u] = a - b;
    total += sums[r - 1u];
  }
  var out: array<vec2f, 8>;
  out[0] = total;
  for (var q = 1u; q <= P / 2u; q++) {
    var even = x0;
    var odd = vec2f(0.0);
    for (var r = 1u; r <= P / 2u; r++) {
      let w = primeTwiddle((r * q) % P);
      even += sums[r - 1u] * w.x;
      odd += differences[r - 1u] * w.y;
    }
    let turned = quarterTurn(odd);
    out[q] = even + turned;
    out[P - q] = even - turned;
  }
  return out;
}

// The RADIX-point DFT of v (in place): out[q] = sum_r v[r] w^(r q n / RADIX).
fn smallDft(v: ptr<function, array<vec2f, MAX_RADIX>>) {
  if (RADIX == 2u) {
    let a = (*v)[0];
    let b = (*v)[1];
    (*v)[0] = a + b;
    (*v)[1] = a - b;
  } else if (RADIX == 4u) {
    let y = dft4((*v)[0], (*v)[1], (*v)[2], (*v)[3]);
    (*v)[0] = y[0];
    (*v)[1] = y[1];
    (*v)[2] = y[2];
    (*v)[3] = y[3];
  } else if (RADIX == 8u) {
    // Radix-2 split into even and odd 4-point DFTs, the odd one turned by w8^q = e^{sign i pi q / 4}.
    let even = dft4((*v)[0], (*v)[2], (*v)[4], (*v)[6]);
    let odd = dft4((*v)[1], (*v)[3], (*v)[5], (*v)[7]);
    let o1 = eighthTurn(odd[1]);
    let o2 = quarterTurn(odd[2]);
    let o3 = quarterTurn(eighthTurn(odd[3]));
    (*v)[0] = even[0] + odd[0];
    (*v)[4] = even[0] - odd[0];
    (*v)[1] = even[1] + o1;
    (*v)[5] = even[1] - o1;
    (*v)[2] = even[2] + o2;
    (*v)[6] = even[2] - o2;
    (*v)[3] = even[3] + o3;
    (*v)[7] = even[3] - o3;
  } else if (RADIX == 16u) {
    // 4 x 4: 4-point DFTs over r / 4 (for each r mod 4 = b), twiddles w16^(b q1), 4-point DFTs over b.
    var inner: array<array<vec2f, 4>, 4>;
    for (var b = 0u; b < 4u; b++) {
      let y = dft4((*v)[b], (*v)[b + 4u], (*v)[b + 8u], (*v)[b + 12u]);
      for (var q1 = 0u; q1 < 4u; q1++) {
        inner[q1][b] = turn16(y[q1], b * q1);
      }
    }
    for (var q1 = 0u; q1 < 4u; q1++) {
      let x = dft4(inner[q1][0], inner[q1][1], inner[q1][2], inner[q1][3]);
      for (var q2 = 0u; q2 < 4u; q2++) {
        (*v)[q1 + 4u * q2] = x[q2];
      }
    }
  } else if (RADIX == 14u) {
    // 2 x 7: 7-point DFTs of the even and odd elements, the odd one turned by w14^q, then a radix-2
    // butterfly (w14^7 = -1): out[q] = even[q] + w14^q odd[q], out[q + 7] = even[q] - w14^q odd[q].
    let even = oddPrimeDft(v, 0u, 2u);
    let odd = oddPrimeDft(v, 1u, 2u);
    for (var q = 0u; q < 7u; q++) {
      let turned = cmul(odd[q], vec2f(COS14[q], params.sign * SIN14[q]));
      (*v)[q] = even[q] + turned;
      (*v)[q + 7u] = even[q] - turned;
    }
  } else {
    let out = oddPrimeDft(v, 0u, 1u);
    for (var q = 0u; q < RADIX; q++) {
      (*v)[q] = out[q];
    }
  }
}

// Row r's Hermitian extension at x < width from half spectra [rows, 2 W] ([re | im] per row,
// W = width / 2 + 1): H_r[x] for x < W, conj(H_r[width - x]) beyond, the DC and (even width)
// Nyquist terms real; 0 for r >= rows. hermitianExtendRef's S_r.
fn extendedRow(r: u32, x: u32) -> vec2f {
  if (r >= params.rows) {
    return vec2f(0.0);
  }
  let half = params.width / 2u + 1u;
  let mirrored = x >= half;
  let v = select(x, params.width - x, mirrored);
  let at = r * 2u * half + v;
  var value = vec2f(src[at], src[at + half]);
  if (v == 0u || 2u * v == params.width) {
    value.y = 0.0;
  }
  return select(value, vec2f(value.x, -value.y), mirrored);
}

// Row r's weighted half spectrum at v < W from the forward DFTs of packed row pairs [ceil(rows / 2),
// 2, width] (Z_k = DFT(g_2k + i g_2k+1)): c_v G_r[v] with G_2k = (Z[v] + conj(Z[-v])) / 2,
// G_2k+1 = (Z[v] - conj(Z[-v])) / (2 i), c_v = 1 at the DC and (even width) Nyquist columns, else 2.
// hermitianSplitRef's values.
fn splitRow(r: u32, v: u32) -> vec2f {
  let w = params.width;
  let at = (r / 2u) * 2u * w;
  let mirror = select(w - v, 0u, v == 0u);
  let z = vec2f(src[at + v], src[at + w + v]);
  let zm = vec2f(src[at + mirror], -src[at + w + mirror]); // conj(Z[-v])
  let weight = select(0.5, 1.0, v != 0u && 2u * v != w);
  let difference = z - zm;
  return weight * select(z + zm, vec2f(difference.y, -difference.x), r % 2u == 1u);
}

// M[i, j], the colour mix's entry (i, j < channels <= 3).
fn mixEntry(i: u32, j: u32) -> f32 {
  var m = array<f32, 9>(params.m0, params.m1, params.m2, params.m3, params.m4, params.m5, params.m6, params.m7, params.m8);
  return m[i * 3u + j];
}

// Element e (address offset) of plane `plane`'s sequence at column `offset`, colour-mixed: the
// half spectra are linear in the planes, so mixing them here mixes the planes the FFTs make,
// sum_i M[i, j] spectrum_{n c + i} for plane n c + j (no pass of its own for the mix).
fn mixedSpectrum(plane: u32, offset: u32, e: u32) -> vec2f {
  let c = params.channels;
  let j = plane % c;
  var sum = vec2f(0.0);
  for (var i = 0u; i < c; i++) {
    let at = (plane - j + i) * params.outerStride + offset + e;
    sum += mixEntry(i, j) * vec2f(src[at], src[at + params.imOffset]);
  }
  return sum;
}

// Element `index` of the sequence at `base` (outer block `outerBlock`, `offset` within it) as this
// stage reads it: from `src` laid out like the sequences (times `scale` when scaleAt is 1), or, for
// the first stage of the Fourier parametrisation's FFTs, through another layout or mix, so that
// neither needs a pass of its own:
//   1: the row FFT's sequence k (inner 1: outerBlock = k) is rows 2k and 2k + 1 extended, packed as
//      S_2k + i S_2k+1 (src: the column FFT's half spectra [rows, 2 W]);
//   2: the column FFT's sequence (plane outerBlock, column offset) at row `index` of the plane is
//      the split of row outerBlock * n + index (src: the forward row FFT's packed pairs);
//   3: the column FFT's sequence (plane outerBlock, column offset) is the colour mix of the image's
//      planes' spectra (then scaled as 0).
fn load(base: u32, outerBlock: u32, offset: u32, index: u32) -> vec2f {
  if (params.loadFrom == 1u) {
    let a = extendedRow(2u * outerBlock, index);
    let b = extendedRow(2u * outerBlock + 1u, index);
    return vec2f(a.x - b.y, a.y + b.x);
  }
  if (params.loadFrom == 2u) {
    return splitRow(outerBlock * params.n + index, offset);
  }
  let e = index * params.elemStride;
  var x: vec2f;
  if (params.loadFrom == 3u) {
    x = mixedSpectrum(outerBlock, offset, e);
  } else {
    x = vec2f(src[base + e], src[base + e + params.imOffset]);
  }
  if (params.scaleAt == 1u) {
    return x * scale[offset + e];
  }
  return x;
}

// image[n, y, x, j] = sigmoid(factor * value) for plane row r = (n c + j) height + y < rows.
fn storePixel(r: u32, x: u32, value: f32) {
  if (r >= params.rows) {
    return;
  }
  let py = divmod(r, params.height);
  let nj = divmod(py.x, params.channels);
  dst[((nj.x * params.height + py.y) * params.width + x) * params.channels + nj.y] = 1.0 / (1.0 + exp(-params.factor * value));
}

// The last inverse row FFT stage's value at x of pair k: plane rows 2k (real part) and 2k + 1
// (imaginary part) through the sigmoid into the image (storeTo 1; fourierImageRef's last step).
fn storeImage(pair: u32, x: u32, value: vec2f) {
  storePixel(2u * pair, x, value.x);
  storePixel(2u * pair + 1u, x, value.y);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let t = linearIndex(wid, lid, nwg, WORKGROUP_SIZE);
  let perSequence = params.n / RADIX;
  if (t >= params.count * perSequence) {
    return;
  }
  var b: u32;
  var j: u32;
  if (params.batchFastest == 1u) {
    let bj = divmod(t, params.count);
    j = bj.x;
    b = bj.y;
  } else {
    let bj = divmod(t, perSequence);
    b = bj.x;
    j = bj.y;
  }
  let outer = divmod(b, params.inner);
  let offset = outer.y;
  let base = outer.x * params.outerStride + offset;
  let js = divmod(j, params.span);
  let step = js.y * (params.n / (params.span * RADIX));
  var v: array<vec2f, MAX_RADIX>;
  for (var r = 0u; r < RADIX; r++) {
    let x = load(base, outer.x, offset, j + r * perSequence);
    // r step < n: no reduction of the twiddle index.
    v[r] = select(cmul(x, twiddle(r * step)), x, r == 0u);
  }
  smallDft(&v);
  let out0 = js.x * params.span * RADIX + js.y;
  for (var q = 0u; q < RADIX; q++) {
    if (params.storeTo == 1u) {
      storeImage(outer.x, out0 + q * params.span, v[q]);
      continue;
    }
    let e = (out0 + q * params.span) * params.elemStride;
    var value = v[q];
    if (params.scaleAt == 2u) {
      value *= scale[offset + e];
    }
    dst[base + e] = value.x;
    dst[base + e + params.imOffset] = value.y;
  }
}
