// fft-dst-interleaved.wgsl — the FFT kernels' `dst` holding interleaved complex sequences (ADR 0006
// include): (re, im) adjacent, one vec2 store per value, laid out by the uniform's dstOuterStride and
// dstElemStride (in complex values; the source may be planar). fft-io.wgsl writes `dst` only through
// storeFloat and storeSequence (fft-dst-planar.wgsl: the f32 layouts). Why: fft-src-interleaved.wgsl.

@group(0) @binding(4) var<storage, read_write> dst: array<vec2f>;

// Where the sequence of outer block `outerBlock`, column `offset` starts in dst.
fn outputBase(outerBlock: u32, offset: u32) -> u32 {
  return outerBlock * params.dstOuterStride + offset;
}

// Float `at` of dst (its vec2 at / 2): fft-io.wgsl's image stores, which recordFft never sends here
// (an image is real: fft-dst-planar.wgsl).
fn storeFloat(at: u32, value: f32) {
  dst[at / 2u][at % 2u] = value;
}

// Stores element `index` of the sequence at `base` (outputBase). No scale: recordFft applies
// scaleAt 'store' only to planar outputs (the scale is laid out like them).
fn storeSequence(base: u32, offset: u32, index: u32, value: vec2f) {
  dst[base + index * params.dstElemStride] = value;
}
