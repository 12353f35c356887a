// bilinear.wgsl — bilinear resampling helpers (a snippet), for kernels that read the four
// neighbours themselves (WGSL cannot pass a storage array to a function).
//
// A coordinate is vec3f(index0, index1, frac): the two source indices to lerp between along one
// axis and the weight of index1. Two conventions:
//   halfPixelCoord    cv2.resize INTER_LINEAR / torch align_corners = False: source (i + 0.5) * in / out - 0.5,
//                     clamped to [0, in - 1]
//   alignCornersCoord torch UpsamplingBilinear2d (align_corners = True): source i * (in - 1) / (out - 1),
//                     0 when out == 1
// bilinearMix lerps as a + (b - a) * t, so equal neighbours give exactly that value.

fn halfPixelCoord(i: u32, outSize: u32, inSize: u32) -> vec3f {
  let s = (f32(i) + 0.5) * f32(inSize) / f32(outSize) - 0.5;
  let c = clamp(s, 0.0, f32(inSize - 1u));
  let i0 = floor(c);
  let i1 = min(i0 + 1.0, f32(inSize - 1u));
  return vec3f(i0, i1, c - i0);
}

fn alignCornersCoord(i: u32, outSize: u32, inSize: u32) -> vec3f {
  var s = 0.0;
  if (outSize > 1u) {
    s = f32(i) * f32(inSize - 1u) / f32(outSize - 1u);
  }
  let i0 = min(floor(s), f32(inSize - 1u));
  let i1 = min(i0 + 1.0, f32(inSize - 1u));
  return vec3f(i0, i1, s - i0);
}

// Row-major pixel indices (y * width + x) of the four neighbours: (y0 x0, y0 x1, y1 x0, y1 x1).
fn bilinearTaps(sy: vec3f, sx: vec3f, width: u32) -> vec4u {
  let r0 = u32(sy.x) * width;
  let r1 = u32(sy.y) * width;
  return vec4u(r0 + u32(sx.x), r0 + u32(sx.y), r1 + u32(sx.x), r1 + u32(sx.y));
}

// The interpolated value from the neighbours' values, in bilinearTaps order.
fn bilinearMix(v: vec4f, sy: vec3f, sx: vec3f) -> f32 {
  let top = v.x + (v.y - v.x) * sx.z;
  let bottom = v.z + (v.w - v.z) * sx.z;
  return top + (bottom - top) * sy.z;
}
