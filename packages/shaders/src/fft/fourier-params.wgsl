// fourier-params.wgsl — the uniform fourier-image-adjoint.wgsl and affine-fourier-adjoint.wgsl share
// (ADR 0006 include; FOURIER_IMAGE_PARAMS in fourier-adjoint.kernel.ts lists the same fields), so the
// struct is written once. (The forward's factor, mix and sigmoid ride on the FFT stages:
// fft-stage.wgsl, whose uniform carries the same sizes, factor and m0..m8.)
//   images, height, width, channels: sizes of the images [images, height, width, channels]
//   factor: the plane factor; m0..m8: the 3 x 3 colour mix M, row-major (channels 1: m0 only)
// mixRow reads the including kernel's module-scope uniform `params` (naming convention, ADR 0006).

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

// Row i of the colour mix, M[i, :] (i < 3; for channels 1 only its first entry m0 counts).
fn mixRow(i: u32) -> vec3f {
  if (i == 1u) {
    return vec3f(params.m3, params.m4, params.m5);
  }
  if (i == 2u) {
    return vec3f(params.m6, params.m7, params.m8);
  }
  return vec3f(params.m0, params.m1, params.m2);
}
