// fft-src-interleaved.wgsl — the FFT kernels' `src` holding interleaved complex values (ADR 0006
// include): (re, im) adjacent, one vec2 load per value, addresses and strides in complex values.
// fft-io.wgsl reads `src` only through srcComplex and SRC_ROW_UNITS (fft-src-planar.wgsl is the
// planar layout). lavapipe's cost follows the number of load and store instructions more than the
// bytes: fft-whole's column and row FFTs took 0.90-0.95x their planar time, bit for bit (session 23).

@group(0) @binding(1) var<storage, read> src: array<vec2f>;

// Buffer elements a row of k complex values takes: k vec2s.
const SRC_ROW_UNITS: u32 = 1u;

// The complex value at `at` (`imOffset`, the planar layout's, is not needed: the imaginary part is
// the vec2's second float).
fn srcComplex(at: u32, imOffset: u32) -> vec2f {
  return src[at];
}
