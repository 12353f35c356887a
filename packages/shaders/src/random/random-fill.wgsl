// random-fill.wgsl
//
// Counter-based random numbers written into a buffer: value j of a call is number i = offset + j
// of the stream `seed`, and depends only on (seed, i), so any split into batches, any dispatch
// geometry and the CPU reference (random-fill.ref.ts) give identical numbers. Used for SmoothGrad
// noise, RISE / LIME masks and any other sampling an explainer does on the GPU.
//
// Generator: Threefry-2x32-20 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3",
// SC 2011; the default of JAX), keyed by the seed's two u32 words, counter (i, STREAM). Chosen over
// Philox4x32-10 because it needs only 32-bit add, rotate and xor: WGSL has no 32x32->64 multiply,
// so Philox would need an emulated mulhi per round, while every Threefry step is one exact
// integer op in WGSL and in JS. Over PCG-style hashes because it passes BigCrush as a counter-based
// generator by design. Uniform and normal numbers use separate counter streams (STREAM 0 and 1).
//
// Outputs (KIND override; all bit-exact against the reference, integer ops only):
// - KIND_UNIFORM:   u = (w0 >> 8) * 2^-24 in [0, 1): a 24-bit integer times a power of two, exact.
// - KIND_NORMAL:    z = +-g(p) with the sign from bit 31 of w0 and p = (2 (w0 & 0x7fffffff) + 1) / 2^33,
//   g = -Phi^{-1} the inverse normal CDF evaluated in Q28 fixed point from piecewise degree-6
//   polynomials (32 octaves of p x 4 segments, normalTable, fitted in normal-table.test.ts), then
//   rounded to f32 with integer ops. No transcendental builtin is used: WGSL only bounds log/cos/sqrt
//   to a few ulps, which differ between GPUs, so Box-Muller could not be reproduced bit for bit.
//   Accuracy: |z - Phi^{-1}(p)| <= 5e-10 + 9.5 * 2^-28 (< 4e-8) before the final f32 rounding.
//   Range: |z| <= 6.34 (p >= 2^-33); beyond |z| ~ 5.9 only a few distinct values occur (p grid 2^-32).
// - KIND_BERNOULLI: 1.0 if u < a (a = probability) else 0.0, with u the uniform above (so a mask
//   and a uniform stream of the same seed line up).
// Uniform and normal values are then mapped to b * v + a (low/width or mean/std). With the
// defaults (a = 0, b = 1) that is exact, so the standard outputs are bit-exact; otherwise the GPU
// may fuse the multiply-add, so scaled values match the reference within one rounding of b * v.
// Measured: uniform and normal outputs are bit-identical to the reference on lavapipe (Dawn;
// random-fill.gpu.test.ts) and SwiftShader (Chromium; apps/demo e2e). lavapipe does not fuse
// b * v + a, so there the scaled outputs are bit-identical too.
// Speed: Threefry's rounds and the quantile's Horner steps are written out, not loops (SwiftShader
// unrolls none; its loop-indexed rotation table lived in per-lane memory). SwiftShader, 49,920
// values (visualizeFeature's 128 x 128 x 3 start), in-page A/B at load 7-9: normal 20.6 -> 9.8 ms,
// uniform 23.9 -> 4.4 ms, bit-identical (session 17). On SwiftShader a shift costs several times a
// multiply (removing Threefry's rotations took 3/4 of its time; ADR 0009, session 27), so left
// shifts by a constant are multiplies by 2^r and mulhiU32 does 4 shifts instead of 6: 166,400
// values, 5 dispatches per submit, load ~2: uniform 4.6 -> 3.1 ms, normal 11.6 -> 9.3 ms, the same
// bits. lavapipe folds either form to the same code (bench random rows level).
//
// Dispatch: 1-D, one invocation per value, ceil(count / WORKGROUP_SIZE) workgroups folded past
// 65,535 (prelude's linearIndex). Writes output[outputOffset + j] for j < count.

override WORKGROUP_SIZE: u32;
override KIND: u32 = 0u;

const KIND_UNIFORM: u32 = 0u;
const KIND_NORMAL: u32 = 1u;
const KIND_BERNOULLI: u32 = 2u;

struct Params {
  count: u32,
  offset: u32,
  outputOffset: u32,
  seedLo: u32,
  seedHi: u32,
  a: f32,
  b: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> output: array<f32>;
// NORMAL_TABLE of normal-table.ts: Q28 coefficients, constant term first, (DEGREE + 1) per segment.
// A storage buffer (uploaded once per device), not a WGSL const array: GPUs that copy a
// dynamically indexed const array into every invocation ran the normal path 20x slower.
@group(0) @binding(2) var<storage, read> normalTable: array<i32>;

const NORMAL_SEGMENTS: u32 = 4u;
const NORMAL_DEGREE: u32 = 6u;

// x rotated left by r, given 2^r and 32 - r: the left shift as a multiply by 2^r (mod 2^32, the
// same bits). SwiftShader runs every vector shift lane by lane, a multiply as one SIMD op (ADR 0009).
fn rotl(x: u32, pow2r: u32, back: u32) -> u32 {
  return (x * pow2r) | (x >> back);
}

// Four rotation amounts r of Threefry-2x32 as 2^r and 32 - r (see rotl).
struct Rotations {
  pow2: vec4u,
  back: vec4u,
}

// Rotations (13, 15, 26, 6) and (17, 29, 16, 24).
const EVEN_ROTATIONS = Rotations(vec4u(1u << 13u, 1u << 15u, 1u << 26u, 1u << 6u), vec4u(19u, 17u, 6u, 26u));
const ODD_ROTATIONS = Rotations(vec4u(1u << 17u, 1u << 29u, 1u << 16u, 1u << 24u), vec4u(15u, 3u, 16u, 8u));

// Four rounds of Threefry-2x32 with the rotation amounts r. Written out (as is threefry2x32): SwiftShader
// unrolls no loop, and there the old loop's rotation table, indexed by the loop counters, lived in
// per-lane memory (ADR 0009).
fn threefryRounds(x: vec2u, r: Rotations) -> vec2u {
  var x0 = x.x;
  var x1 = x.y;
  x0 += x1;
  x1 = rotl(x1, r.pow2.x, r.back.x) ^ x0;
  x0 += x1;
  x1 = rotl(x1, r.pow2.y, r.back.y) ^ x0;
  x0 += x1;
  x1 = rotl(x1, r.pow2.z, r.back.z) ^ x0;
  x0 += x1;
  x1 = rotl(x1, r.pow2.w, r.back.w) ^ x0;
  return vec2u(x0, x1);
}

// Threefry-2x32 with 20 rounds: 5 groups of 4 rounds, after group g (s = g + 1) the key injection
// x += (ks[s % 3], ks[(s + 1) % 3] + s) with ks = (key.x, key.y, 0x1bd11bda ^ key.x ^ key.y).
fn threefry2x32(counter: vec2u, key: vec2u) -> vec2u {
  let k2 = 0x1bd11bdau ^ key.x ^ key.y;
  let even = EVEN_ROTATIONS;
  let odd = ODD_ROTATIONS;
  var x = counter + key;
  x = threefryRounds(x, even) + vec2u(key.y, k2 + 1u);
  x = threefryRounds(x, odd) + vec2u(k2, key.x + 2u);
  x = threefryRounds(x, even) + vec2u(key.x, key.y + 3u);
  x = threefryRounds(x, odd) + vec2u(key.y, k2 + 4u);
  x = threefryRounds(x, even) + vec2u(k2, key.x + 5u);
  return x;
}

// A u32 split into 16-bit halves: Horner's rule multiplies by the same x seven times, split once.
struct Halves {
  lo: u32,
  hi: u32,
}

fn halvesOf(b: u32) -> Halves {
  return Halves(b & 0xffffu, b >> 16u);
}

// High 32 bits of a * b for u32 a, b (b as halves), from 16-bit halves (WGSL has no 64-bit
// integers): Hacker's Delight's mulhu, as fixed-point.ts's mulhiU32 (no sum exceeds 2^32 - 1). Its
// 4 shifts, not 6: shifts run lane by lane on SwiftShader.
fn mulhiU32(a: u32, b: Halves) -> u32 {
  let a0 = a & 0xffffu;
  let a1 = a >> 16u;
  let t = a1 * b.lo + ((a0 * b.lo) >> 16u);
  let u = a0 * b.hi + (t & 0xffffu);
  return a1 * b.hi + (t >> 16u) + (u >> 16u);
}

// (a * b) / 2^32 rounded toward zero, a signed, b a Q32 fraction.
// One product for either sign (u32(-a) = u32(abs(a)) for every a < 0, i32::MIN included): a branch
// would run both products on SwiftShader, whose lanes take both sides of a divergent branch.
fn mulhiI32(a: i32, b: Halves) -> i32 {
  let magnitude = i32(mulhiU32(u32(abs(a)), b));
  return select(-magnitude, magnitude, a >= 0);
}

fn uniformFromWord(w: u32) -> f32 {
  return f32(w >> 8u) * 0x1p-24f;
}

// 2^e for an integer e in the normal f32 range, built from its bits (exact).
fn pow2(e: i32) -> f32 {
  return bitcast<f32>(u32(127 + e) * 0x800000u);
}

// g(p) = -Phi^{-1}(p) in Q28 for p = (2q + 1) / 2^33; mirrors normal-sampler.ts.
fn normalUpperQuantileQ28(q: u32) -> i32 {
  let odd = q * 2u + 1u;
  let octave = countLeadingZeros(odd);
  let mantissa = (odd << octave) * 2u;
  let segment = mantissa >> 30u;
  let x = halvesOf(mantissa * 4u);
  let base = (octave * NORMAL_SEGMENTS + segment) * (NORMAL_DEGREE + 1u);
  // Horner's rule over the NORMAL_DEGREE + 1 = 7 coefficients, written out (no loop on SwiftShader).
  var acc = normalTable[base + 6u];
  acc = mulhiI32(acc, x) + normalTable[base + 5u];
  acc = mulhiI32(acc, x) + normalTable[base + 4u];
  acc = mulhiI32(acc, x) + normalTable[base + 3u];
  acc = mulhiI32(acc, x) + normalTable[base + 2u];
  acc = mulhiI32(acc, x) + normalTable[base + 1u];
  acc = mulhiI32(acc, x) + normalTable[base];
  return max(acc, 0);
}

// Nearest f32 to g / 2^28 (ties away from zero), with integer ops only.
fn q28ToF32(g: i32) -> f32 {
  if (g == 0) {
    return 0.0;
  }
  let bits = 32 - i32(countLeadingZeros(u32(g)));
  if (bits <= 24) {
    return f32(g) * 0x1p-28f;
  }
  let shift = u32(bits - 24);
  let m = (u32(g) + (1u << (shift - 1u))) >> shift;
  return f32(m) * pow2(i32(shift) - 28);
}

fn normalFromWord(w: u32) -> f32 {
  let magnitude = q28ToF32(normalUpperQuantileQ28(w & 0x7fffffffu));
  return select(magnitude, -magnitude, (w >> 31u) == 1u);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let j = linearIndex(wid, lid, nwg, WORKGROUP_SIZE);
  if (j >= params.count) {
    return;
  }
  let key = vec2u(params.seedLo, params.seedHi);
  let stream = select(0u, 1u, KIND == KIND_NORMAL);
  let w = threefry2x32(vec2u(params.offset + j, stream), key);
  var value: f32;
  if (KIND == KIND_NORMAL) {
    value = params.b * normalFromWord(w.x) + params.a;
  } else if (KIND == KIND_BERNOULLI) {
    value = select(0.0, 1.0, uniformFromWord(w.x) < params.a);
  } else {
    value = params.b * uniformFromWord(w.x) + params.a;
  }
  output[params.outputOffset + j] = value;
}
