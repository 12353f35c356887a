// conv-geometry.wgsl — the uniform of the direct-conv and direct-depthwise kernels whose params are
// exactly CONV_GEOMETRY_UNIFORM (direct-conv2d.kernel.ts), field for field in the same order: the
// -backprop-input kernels and direct-depthwise-conv2d (where inChannels == outChannels). The
// forward direct-conv2d adds hasBias and activation, so it declares its own struct: a nested struct
// in a uniform would be padded to 16 bytes and move those two fields.

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
