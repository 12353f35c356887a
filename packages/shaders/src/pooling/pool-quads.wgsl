// pool-quads.wgsl: the uniform and the work split shared by the 2-D pooling kernels over vec4 channel
// groups (direct-max-pool, max-pool-grad-tiles): one invocation per output window and group of 4
// channels, windows in (b, oy, ox) order, the group fastest.

struct PoolQuadsParams {
  count: u32,
  height: u32,
  width: u32,
  // channels / 4: maps are read and written as vec4s.
  quads: u32,
  outHeight: u32,
  outWidth: u32,
  filterHeight: u32,
  filterWidth: u32,
  strideHeight: u32,
  strideWidth: u32,
  padTop: u32,
  padLeft: u32,
}

// Invocation i's (channel group, output column, output row, image).
fn poolQuadOf(i: u32, p: PoolQuadsParams) -> vec4u {
  let window = i / p.quads; // (b * outHeight + oy) * outWidth + ox
  return vec4u(i % p.quads, window % p.outWidth, (window / p.outWidth) % p.outHeight, window / (p.outWidth * p.outHeight));
}
