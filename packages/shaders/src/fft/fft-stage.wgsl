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
//
// Dispatch: one invocation per (sequence, j): count * n / R threads, 1-D folded (linearIndex). No
// workgroup memory, no barriers: a stage per dispatch. Radix R <= MAX_RADIX (8); the R-point DFT is
// the plain O(R^2) sum (R is small). Tolerance: fft.kernel.ts.

override WORKGROUP_SIZE: u32;

const MAX_RADIX: u32 = 8u;

struct Params {
  n: u32,
  radix: u32,
  span: u32,
  count: u32,
  inner: u32,
  outerStride: u32,
  elemStride: u32,
  imOffset: u32,
  scaleAt: u32,
  sign: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read> twiddles: array<f32>;
@group(0) @binding(3) var<storage, read> scale: array<f32>;
@group(0) @binding(4) var<storage, read_write> dst: array<f32>;

fn twiddle(k: u32) -> vec2f {
  let i = (k % params.n) * 2u;
  return vec2f(twiddles[i], params.sign * twiddles[i + 1u]);
}

fn cmul(a: vec2f, b: vec2f) -> vec2f {
  return vec2f(a.x * b.x - a.y * b.y, a.x * b.y + a.y * b.x);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let t = linearIndex(wid, lid, nwg, WORKGROUP_SIZE);
  let n = params.n;
  let radix = params.radix;
  let perSequence = n / radix;
  if (t >= params.count * perSequence) {
    return;
  }
  let b = t / perSequence;
  let j = t % perSequence;
  let offset = b % params.inner;
  let base = (b / params.inner) * params.outerStride + offset;
  let jn = j % params.span;
  let step = jn * (n / (params.span * radix));
  var v: array<vec2f, MAX_RADIX>;
  for (var r = 0u; r < radix; r++) {
    let e = (j + r * perSequence) * params.elemStride;
    var x = vec2f(src[base + e], src[base + e + params.imOffset]);
    if (params.scaleAt == 1u) {
      x *= scale[offset + e];
    }
    v[r] = cmul(x, twiddle(r * step));
  }
  let out0 = (j / params.span) * params.span * radix + jn;
  for (var q = 0u; q < radix; q++) {
    var sum = vec2f(0.0);
    for (var r = 0u; r < radix; r++) {
      sum += cmul(v[r], twiddle(((r * q) % radix) * perSequence));
    }
    let e = (out0 + q * params.span) * params.elemStride;
    if (params.scaleAt == 2u) {
      sum *= scale[offset + e];
    }
    dst[base + e] = sum.x;
    dst[base + e + params.imOffset] = sum.y;
  }
}
