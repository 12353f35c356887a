// affine-sample-params.wgsl — the uniform of affine-sample.wgsl and affine-sample-padded.wgsl (ADR
// 0006 include), written once: the same fields as affineSample's descriptor (affine-sample.kernel.ts).
//   images, srcHeight, srcWidth: the source images; outHeight, outWidth: the output's size;
//   channels: values per pixel written (and read, packed); fill: what taps outside the source read.

struct Params {
  images: u32,
  srcHeight: u32,
  srcWidth: u32,
  outHeight: u32,
  outWidth: u32,
  channels: u32,
  fill: f32,
}
