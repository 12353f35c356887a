// fft-src-planar.wgsl — the FFT kernels' `src` holding planar complex values (ADR 0006 include):
// real and imaginary parts in f32s `imOffset` apart (rows of [re | im]), two scalar loads per value.
// fft-io.wgsl reads `src` only through srcComplex and SRC_ROW_UNITS; fft-src-interleaved.wgsl is the
// other layout. fft-stage.wgsl and fft-pair.wgsl read this one only.

@group(0) @binding(1) var<storage, read> src: array<f32>;

// Buffer elements a row of k complex values takes: 2 k floats.
const SRC_ROW_UNITS: u32 = 2u;

// The complex value whose real part is at `at` and imaginary part `imOffset` further.
fn srcComplex(at: u32, imOffset: u32) -> vec2f {
  return vec2f(src[at], src[at + imOffset]);
}
