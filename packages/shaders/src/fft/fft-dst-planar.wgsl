// fft-dst-planar.wgsl — the FFT kernels' `dst` holding f32s: planar complex sequences (real and
// imaginary parts `imOffset` apart, the source's strides) or the sigmoid image (ADR 0006 include).
// fft-io.wgsl writes `dst` only through storeFloat and storeSequence; fft-dst-interleaved.wgsl is the
// other layout. fft-stage.wgsl and fft-pair.wgsl write this one only.

@group(0) @binding(4) var<storage, read_write> dst: array<f32>;

// Where the sequence of outer block `outerBlock`, column `offset` starts in dst: where it starts in src.
fn outputBase(outerBlock: u32, offset: u32) -> u32 {
  return outerBlock * params.outerStride + offset;
}

// dst[at] = value (the image stores).
fn storeFloat(at: u32, value: f32) {
  dst[at] = value;
}

// Stores element `index` of the sequence at `base` (outputBase; column `offset`): times `scale` when
// scaleAt is 2, else as is.
fn storeSequence(base: u32, offset: u32, index: u32, value: vec2f) {
  storeSequenceAt(base, offset, index * params.elemStride, value);
}

// storeSequence at element offset e = index elemStride (fft-stage.wgsl sums it up, see its Cursor).
fn storeSequenceAt(base: u32, offset: u32, e: u32, value: vec2f) {
  var scaled = value;
  if (fftModes().scaleAt == 2u) {
    scaled *= scale[offset + e];
  }
  dst[base + e] = scaled.x;
  dst[base + e + params.imOffset] = scaled.y;
}
