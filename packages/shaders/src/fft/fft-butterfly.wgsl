// fft-butterfly.wgsl — the radix-R DFTs of fft-stage.wgsl and fft-pair.wgsl (ADR 0006 include):
// smallDft(v, radix) for radix 2, 4, 8, 16 (butterflies: 8 = 2 x 4, 16 = 4 x 4 (dft16), their inner
// twiddles constants), 3, 5, 7 (dft3, dft5, dft7: r paired with R - r, constant twiddles) and 14 (dft14:
// two 7-point DFTs and a radix-2 butterfly), on a private array of MAX_RADIX values; divmod for the index arithmetic.
// Reads the including kernel's module-scope uniform `params` (its `sign`: +1 inverse, -1 forward).

const MAX_RADIX: u32 = 16u;

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

// The 16-point DFT of v in place as 4 x 4: 4-point DFTs y_b over r / 4 (for each b = r mod 4),
// twiddles w16^(b q1), 4-point DFTs x_q1 over b, out[q1 + 4 q2] = x_q1[q2]. Written out with
// constant indices, no loops: SwiftShader unrolls no loop (Tint marks none for unrolling), so
// loop-indexed arrays (these values, COS16) stayed in memory it addresses lane by lane. Written out,
// visualizeFeature's four radix-16 stages at 128 (3 channels) took 0.5-0.8x their looped time in
// Chromium, its eight stages 5.8 ms against 7.2 (session 15, medians of 9); lavapipe (which unrolls
// the loops) the same either way.
fn dft16(v: ptr<function, array<vec2f, MAX_RADIX>>) {
  let y0 = dft4((*v)[0], (*v)[4], (*v)[8], (*v)[12]);
  let y1 = dft4((*v)[1], (*v)[5], (*v)[9], (*v)[13]);
  let y2 = dft4((*v)[2], (*v)[6], (*v)[10], (*v)[14]);
  let y3 = dft4((*v)[3], (*v)[7], (*v)[11], (*v)[15]);
  let x0 = dft4(y0[0], y1[0], y2[0], y3[0]);
  let x1 = dft4(y0[1], turn16(y1[1], 1u), turn16(y2[1], 2u), turn16(y3[1], 3u));
  let x2 = dft4(y0[2], turn16(y1[2], 2u), turn16(y2[2], 4u), turn16(y3[2], 6u));
  let x3 = dft4(y0[3], turn16(y1[3], 3u), turn16(y2[3], 6u), turn16(y3[3], 9u));
  *v = array<vec2f, MAX_RADIX>(x0[0], x1[0], x2[0], x3[0], x0[1], x1[1], x2[1], x3[1],
    x0[2], x1[2], x2[2], x3[2], x0[3], x1[3], x2[3], x3[3]);
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

// The odd-prime DFTs (P = 3, 5, 7) of x_0 .. x_{P-1}, pairing r with P - r: with sums
// s_r = x_r + x_{P-r} and differences d_r = x_r - x_{P-r} (r = 1 .. H = (P - 1) / 2),
//   out[q], out[P - q] = (x_0 + sum_r s_r cos(2 pi r q / P)) +- i^sign sum_r d_r sin(2 pi r q / P),
// out[0] = x_0 + sum_r s_r: H^2 real-times-complex products each for the even and odd halves (a
// quarter of the plain sum's complex products), constant twiddles (COSP / SINP[(r q) mod P]).
// Written out with constant indices, no loops, as dft16: SwiftShader kept the looped form's sums,
// differences and outputs in memory it addresses lane by lane, and the 224-point plan's radix-14
// stages took 6.5-7.6 ms each in Chromium looped, 1.8-3.3 ms written out (3 planes; session 16).
// The sums run in the looped form's order, r = 1 first (radix 14 at 224 in Chromium: bit for bit).
fn dft3(x0: vec2f, x1: vec2f, x2: vec2f) -> array<vec2f, 3> {
  let s1 = x1 + x2;
  let t1 = quarterTurn((x1 - x2) * SIN3[1]);
  let e1 = x0 + s1 * COS3[1];
  return array<vec2f, 3>(x0 + s1, e1 + t1, e1 - t1);
}

fn dft5(x0: vec2f, x1: vec2f, x2: vec2f, x3: vec2f, x4: vec2f) -> array<vec2f, 5> {
  let s1 = x1 + x4;
  let s2 = x2 + x3;
  let d1 = x1 - x4;
  let d2 = x2 - x3;
  let e1 = x0 + s1 * COS5[1] + s2 * COS5[2];
  let e2 = x0 + s1 * COS5[2] + s2 * COS5[4];
  let t1 = quarterTurn(d1 * SIN5[1] + d2 * SIN5[2]);
  let t2 = quarterTurn(d1 * SIN5[2] + d2 * SIN5[4]);
  return array<vec2f, 5>(x0 + s1 + s2, e1 + t1, e2 + t2, e2 - t2, e1 - t1);
}

fn dft7(x0: vec2f, x1: vec2f, x2: vec2f, x3: vec2f, x4: vec2f, x5: vec2f, x6: vec2f) -> array<vec2f, 7> {
  let s1 = x1 + x6;
  let s2 = x2 + x5;
  let s3 = x3 + x4;
  let d1 = x1 - x6;
  let d2 = x2 - x5;
  let d3 = x3 - x4;
  let e1 = x0 + s1 * COS7[1] + s2 * COS7[2] + s3 * COS7[3];
  let e2 = x0 + s1 * COS7[2] + s2 * COS7[4] + s3 * COS7[6];
  let e3 = x0 + s1 * COS7[3] + s2 * COS7[6] + s3 * COS7[2];
  let t1 = quarterTurn(d1 * SIN7[1] + d2 * SIN7[2] + d3 * SIN7[3]);
  let t2 = quarterTurn(d1 * SIN7[2] + d2 * SIN7[4] + d3 * SIN7[6]);
  let t3 = quarterTurn(d1 * SIN7[3] + d2 * SIN7[6] + d3 * SIN7[2]);
  return array<vec2f, 7>(x0 + s1 + s2 + s3, e1 + t1, e2 + t2, e3 + t3, e3 - t3, e2 - t2, e1 - t1);
}

// w14^k a = e^{sign 2 pi i k / 14} a for k < 7.
fn turn14(a: vec2f, k: u32) -> vec2f {
  return cmul(a, vec2f(COS14[k], params.sign * SIN14[k]));
}

// The 14-point DFT of v in place as 2 x 7: 7-point DFTs of the even and odd elements, the odd one
// turned by w14^q, then a radix-2 butterfly (w14^7 = -1): out[q] = even[q] + w14^q odd[q],
// out[q + 7] = even[q] - w14^q odd[q]. Written out as dft7 (why: there).
fn dft14(v: ptr<function, array<vec2f, MAX_RADIX>>) {
  let even = dft7((*v)[0], (*v)[2], (*v)[4], (*v)[6], (*v)[8], (*v)[10], (*v)[12]);
  let odd = dft7((*v)[1], (*v)[3], (*v)[5], (*v)[7], (*v)[9], (*v)[11], (*v)[13]);
  let o = array<vec2f, 7>(turn14(odd[0], 0u), turn14(odd[1], 1u), turn14(odd[2], 2u), turn14(odd[3], 3u),
    turn14(odd[4], 4u), turn14(odd[5], 5u), turn14(odd[6], 6u));
  *v = array<vec2f, MAX_RADIX>(even[0] + o[0], even[1] + o[1], even[2] + o[2], even[3] + o[3], even[4] + o[4],
    even[5] + o[5], even[6] + o[6], even[0] - o[0], even[1] - o[1], even[2] - o[2], even[3] - o[3],
    even[4] - o[4], even[5] - o[5], even[6] - o[6], vec2f(0.0), vec2f(0.0));
}

// The radix-point DFT of v (in place): out[q] = sum_r v[r] w^(r q n / radix). Callers pass a
// pipeline constant, so the branches fold away.
fn smallDft(v: ptr<function, array<vec2f, MAX_RADIX>>, radix: u32) {
  if (radix == 2u) {
    let a = (*v)[0];
    let b = (*v)[1];
    (*v)[0] = a + b;
    (*v)[1] = a - b;
  } else if (radix == 4u) {
    let y = dft4((*v)[0], (*v)[1], (*v)[2], (*v)[3]);
    (*v)[0] = y[0];
    (*v)[1] = y[1];
    (*v)[2] = y[2];
    (*v)[3] = y[3];
  } else if (radix == 8u) {
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
  } else if (radix == 16u) {
    dft16(v);
  } else if (radix == 14u) {
    dft14(v);
  } else if (radix == 3u) {
    let y = dft3((*v)[0], (*v)[1], (*v)[2]);
    (*v)[0] = y[0];
    (*v)[1] = y[1];
    (*v)[2] = y[2];
  } else if (radix == 5u) {
    let y = dft5((*v)[0], (*v)[1], (*v)[2], (*v)[3], (*v)[4]);
    (*v)[0] = y[0];
    (*v)[1] = y[1];
    (*v)[2] = y[2];
    (*v)[3] = y[3];
    (*v)[4] = y[4];
  } else {
    let y = dft7((*v)[0], (*v)[1], (*v)[2], (*v)[3], (*v)[4], (*v)[5], (*v)[6]);
    (*v)[0] = y[0];
    (*v)[1] = y[1];
    (*v)[2] = y[2];
    (*v)[3] = y[3];
    (*v)[4] = y[4];
    (*v)[5] = y[5];
    (*v)[6] = y[6];
  }
}

// Row r's Hermitian extension at x < width from half spectra [rows, 2 W] ([re | im] per row,
