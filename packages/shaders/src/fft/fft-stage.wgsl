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
// Here the modes SCALE_AT, LOAD_FROM, STORE_TO and BATCH_FASTEST are pipeline constants (fft-io.wgsl
// says why; the uniform's fields of the same names are fft-pair.wgsl's).
// SCALE_AT 1 multiplies each loaded element by scale[(b mod inner) + e * elemStride] (the 1/f
// spectrum scale of the first forward stage), 2 each stored one (the last adjoint stage), 0 none.
// The Fourier parametrisation's FFTs (fft-plan.ts) fold their neighbouring passes into their first
// and last stages; its sizes are `rows` = images * channels * height plane rows of real length
// `width`, its colour mix M = m0..m8 (row-major) and plane `factor`:
// LOAD_FROM (first stage) 1 / 2 reads through the Hermitian extension of half spectra / the
// Hermitian split of packed row pairs, 3 reads the colour-mixed planes (see load());
// STORE_TO (last stage) 1 writes sigmoid(factor * value) of each of the pair's two plane rows to
// the NHWC image [images, height, width, channels], 2 to the padded image [images, height, width, 4]
// (see storeImage()).
//
// Dispatch: one invocation per (sequence, j): count * n / R threads, 1-D folded (linearIndex). No
// workgroup memory, no barriers: a stage per dispatch. The radix is the override constant RADIX
// (<= MAX_RADIX = 16; one pipeline per radix and set of modes), so smallDft's branches fold (its
// loops unroll on lavapipe, not on SwiftShader: the radix-16 butterfly is written out, dft16); radix 2, 4, 8 and 16 are butterflies (8 = 2 x 4, 16 = 4 x 4, their
// inner twiddles constants), 3, 5 and 7 the odd-prime butterfly (oddPrimeDft: r paired with R - r,
// constant twiddles; until session 11 the plain O(R^2) sum with twiddles read from memory), 14 two
// 7-point ones and a radix-2 butterfly (so 224 = 16 x 14, two stages). Software adapters pay mostly per invocation
// and per dispatch, so fewer, larger stages are cheaper (fftRadices).
// BATCH_FASTEST 1 gives neighbouring invocations neighbouring sequences (the column FFT, whose
// sequences are adjacent in memory), 0 neighbouring elements (the row FFT). Integer division by
// the uniforms goes through an f32 reciprocal (divmod): software adapters run vector integer
// division one lane at a time. Tolerance: fft.kernel.ts.


override WORKGROUP_SIZE: u32;
override RADIX: u32;
override LOAD_FROM: u32;
override STORE_TO: u32;
override SCALE_AT: u32;
override BATCH_FASTEST: u32;

// fft-io.wgsl's modes: this kernel's pipeline constants (one pipeline per radix and set of modes;
// fft-io.wgsl says why).
fn fftModes() -> FftModes {
  return FftModes(LOAD_FROM, STORE_TO, SCALE_AT);
}

// Params, load, the stores: fft-io.wgsl; smallDft, divmod, MAX_RADIX: fft-butterfly.wgsl (includes).

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read> twiddles: array<f32>;
@group(0) @binding(3) var<storage, read> scale: array<f32>;
@group(0) @binding(4) var<storage, read_write> dst: array<f32>;

// Element r of the butterfly: x w^(r step) (r step < n: no reduction of the twiddle index).
fn twiddled(x: vec2f, r: u32, step: u32) -> vec2f {
  return select(cmul(x, twiddle(r * step)), x, r == 0u);
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
  if (BATCH_FASTEST == 1u) {
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
  if (LOAD_FROM == 3u) {
    // load()'s colour mix with its source found once, not per element as load() finds it:
    // SwiftShader hoists none of it out of the loop (the stage took 1.5x the time; session 15).
    let mix = mixSource(outer.x, offset);
    for (var r = 0u; r < RADIX; r++) {
      let e = (j + r * perSequence) * params.elemStride;
      v[r] = twiddled(scaledOnLoad(mixedAt(mix, e), offset + e), r, step);
    }
  } else {
    for (var r = 0u; r < RADIX; r++) {
      v[r] = twiddled(load(base, outer.x, offset, j + r * perSequence), r, step);
    }
  }
  smallDft(&v, RADIX);
  let out0 = js.x * params.span * RADIX + js.y;
  if (STORE_TO != 0u) {
    let starts = vec2u(imageRowStart(2u * outer.x), imageRowStart(2u * outer.x + 1u));
    for (var q = 0u; q < RADIX; q++) {
      storeImage(starts, out0 + q * params.span, v[q]);
    }
    return;
  }
  for (var q = 0u; q < RADIX; q++) {
    storeSequence(base, offset, out0 + q * params.span, v[q]);
  }
}
