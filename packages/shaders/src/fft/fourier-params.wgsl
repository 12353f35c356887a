// fourier-params.wgsl — the uniform fourier-image.wgsl and fourier-image-adjoint.wgsl share
// (ADR 0006 include; the descriptor's PARAMS in fourier-image.kernel.ts lists the same fields).
// The kernel is the adjoint of the other's linear part only if both read the same sizes, plane
// factor and colour mix, so the struct is written once.
//   images, height, width, channels: sizes of the images [images, height, width, channels]
//   factor: the plane factor; m0..m8: the 3 x 3 colour mix M, row-major (channels 1: m0 only)

struct Params {
  images: u32,
  height: u32,
  width: u32,
  channels: u32,
  factor: f32,
  m0: f32,
  m1: f32,
  m2: f32,
  m3: f32,
  m4: f32,
  m5: f32,
  m6: f32,
  m7: f32,
  m8: f32,
}
