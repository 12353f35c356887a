// fft-pair-stages.wgsl — the two stages of a two-stage Stockham FFT (n = RADIX1 x RADIX2) through
// the including kernel's module-scope array `mid` (ADR 0006 naming convention), shared by fft-pair.wgsl
// (`mid` in workgroup memory, a sequence per workgroup slice) and fft-whole.wgsl (`mid` in private
// memory, a sequence per invocation), so both compute every value alike:
//   stage 1, butterfly k < n / R1: v_r = in[k + r n / R1], R1-point DFT -> mid[midStart + k R1 + q]
//   stage 2, butterfly k < R1:     v_r = mid[midStart + k + r R1] w^(r k), R2-point DFT -> out[k + q R1]
// Both kernels take the same pipeline constants and bindings (fft-stage's) and read the modes from
// the uniform (one pipeline per radix pair; fft-io.wgsl says why not pipeline constants as in
// fft-stage.wgsl), so those are declared here, once, for both, except `src` and `dst`, whose types
// come with their layout (fft-src-*.wgsl, fft-dst-*.wgsl, included by the kernel's descriptor: planar
// for fft-pair, either for fft-whole); each kernel declares WORKGROUP_SIZE, `mid`, main and
// stageTwiddle(k), w^k (ADR 0006 call-back: fft-pair's loads the `twiddles` binding through fft-io's
// twiddle, fft-whole's is fft-twiddles-n.wgsl's constants, the same values). The stages go through fft-io.wgsl's load, twiddle and stores and
// fft-butterfly.wgsl's smallDft and cmul.

override RADIX1: u32;
override RADIX2: u32;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(2) var<storage, read> twiddles: array<vec2f>;
@group(0) @binding(3) var<storage, read> scale: array<f32>;

// fft-io.wgsl's modes, from the uniform.
fn fftModes() -> FftModes {
  return FftModes(params.loadFrom, params.storeTo, params.scaleAt);
}

// Stage 1's butterfly k < n / R1 of the sequence at `base` into mid from `midStart`.
fn firstStage(base: u32, outerBlock: u32, offset: u32, midStart: u32, k: u32) {
  let n = RADIX1 * RADIX2;
  var v: array<vec2f, MAX_RADIX>;
  if (params.loadFrom == 3u) {
    // load()'s colour mix with its source found once for the butterfly (0.91x the whole pair at 128).
    let mix = mixSource(outerBlock, offset);
    for (var r = 0u; r < RADIX1; r++) {
      let e = (k + r * (n / RADIX1)) * params.elemStride;
      v[r] = scaledOnLoad(mixedAt(mix, e), offset + e);
    }
  } else {
    for (var r = 0u; r < RADIX1; r++) {
      v[r] = load(base, outerBlock, offset, k + r * (n / RADIX1));
    }
  }
  smallDft(&v, RADIX1);
  for (var q = 0u; q < RADIX1; q++) {
    mid[midStart + k * RADIX1 + q] = v[q];
  }
}

// Stage 2's butterfly k < R1 from mid (from `midStart`) to the output; `starts` as imageRowStart gives them (storeTo 1 or 2).
fn secondStage(base: u32, offset: u32, midStart: u32, starts: vec2u, k: u32) {
  var v: array<vec2f, MAX_RADIX>;
  for (var r = 0u; r < RADIX2; r++) {
    let x = mid[midStart + k + r * RADIX1];
    // r k < R2 R1 = n: no reduction of the twiddle index.
    v[r] = select(cmul(x, stageTwiddle(r * k)), x, r == 0u);
  }
  smallDft(&v, RADIX2);
  for (var q = 0u; q < RADIX2; q++) {
    if (params.storeTo != 0u) {
      storeImage(starts, k + q * RADIX1, v[q]);
    } else {
      storeSequence(base, offset, k + q * RADIX1, v[q]);
    }
  }
}
