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
// workgroup memory, no barriers: a stage per dispatch. The radix is the override constant RADIX
// (<= MAX_RADIX = 8; one pipeline per radix), so the R-point DFT's loops unroll and its twiddle
// indices fold to constants; radix 2 and 4 are plain butterflies, others the O(R^2) sum.
// `batchFastest` 1 gives neighbouring invocations neighbouring sequences (the column FFT, whose
// sequences are adjacent in memory), 0 neighbouring elements (the row FFT). Integer division by
// the uniforms goes through an f32 reciprocal (divmod): software adapters run vector integer
// division one lane at a time. Tolerance: fft.kernel.ts.

override WORKGROUP_SIZE: u32;
override RADIX: u32;

const MAX_RADIX: u32 = 8u;

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

// The RADIX-point DFT of v (in place): out[q] = sum_r v[r] w^(r q n / RADIX).
fn smallDft(v: ptr<function, array<vec2f, MAX_RADIX>>) {
  if (RADIX == 2u) {
    let a = (*v)[0];
    let b = (*v)[1];
    (*v)[0] = a + b;
    (*v)[1] = a - b;
  } else if (RADIX == 4u) {
    let s02 = (*v)[0] + (*v)[2];
    let d02 = (*v)[0] - (*v)[2];
    let s13 = (*v)[1] + (*v)[3];
    let d13 = quarterTurn((*v)[1] - (*v)[3]);
    (*v)[0] = s02 + s13;
    (*v)[1] = d02 + d13;
    (*v)[2] = s02 - s13;
    (*v)[3] = d02 - d13;
  } else {
    let perSequence = params.n / RADIX;
    var out: array<vec2f, MAX_RADIX>;
    for (var q = 0u; q < RADIX; q++) {
      var sum = (*v)[0];
      for (var r = 1u; r < RADIX; r++) {
        sum += cmul((*v)[r], twiddle(((r * q) % RADIX) * perSequence));
      }
      out[q] = sum;
    }
    *v = out;
  }
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
    let e = (j + r * perSequence) * params.elemStride;
    var x = vec2f(src[base + e], src[base + e + params.imOffset]);
    if (params.scaleAt == 1u) {
      x *= scale[offset + e];
    }
    // r step < n: no reduction of the twiddle index.
    v[r] = select(cmul(x, twiddle(r * step)), x, r == 0u);
  }
  smallDft(&v);
  let out0 = js.x * params.span * RADIX + js.y;
  for (var q = 0u; q < RADIX; q++) {
    let e = (out0 + q * params.span) * params.elemStride;
    var value = v[q];
    if (params.scaleAt == 2u) {
      value *= scale[offset + e];
    }
    dst[base + e] = value.x;
    dst[base + e + params.imOffset] = value.y;
  }
}
