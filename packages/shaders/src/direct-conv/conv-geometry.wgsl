// conv-geometry.wgsl — the uniform of the direct-conv and direct-depthwise kernels, whose params are
// exactly CONV_GEOMETRY_UNIFORM (direct-conv2d.kernel.ts), field for field in the same order: every
// direct-conv2d and -backprop-input kernel and direct-depthwise-conv2d (where inChannels ==
// outChannels).

struct ConvGeometry {
  count: u32,
  inHeight: u32,
  inWidth: u32,
  inChannels: u32,
  outHeight: u32,
  outWidth: u32,
  outChannels: u32,
  filterHeight: u32,
  filterWidth: u32,
  strideHeight: u32,
  strideWidth: u32,
  padTop: u32,
  padLeft: u32,
}
