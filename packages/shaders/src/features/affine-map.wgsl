// affine-map.wgsl
//
// The per-image affine map shared by affine-sample.wgsl and its adjoint, so both compute the very
// same source coordinates (the adjoint is the transpose only if they round alike).
//   (sx, sy) = (m0 x + m1 y + m2, m3 x + m4 y + m5)      output pixel (x, y) -> source coordinates
// Pixel (i, j) sits at coordinate (i, j) (centres on integers). Reads the including kernel's
// module-scope binding `transforms: array<vec2f>`, [n][6] floats read as [n][3] vec2 (naming
// convention, ADR 0006).

// Where pixel q (row-major in an output of width outWidth) of image n samples the source bilinearly:
// its top-left tap `corner` = floor(source) and `t` = source - corner, the weights of the taps at +1
// along x and y (those at +0 weigh 1 - t). affine-sample and affine-sample-padded start from it.
struct BilinearFooting {
  corner: vec2i,
  t: vec2f,
}

fn bilinearFooting(n: u32, q: u32, outWidth: u32) -> BilinearFooting {
  return bilinearFootingAt(n, q % outWidth, q / outWidth);
}

// The same at output pixel (x, y) of image n.
fn bilinearFootingAt(n: u32, x: u32, y: u32) -> BilinearFooting {
  let s = affineSource(n, f32(x), f32(y));
  let corner = floor(s);
  return BilinearFooting(vec2i(corner), s - corner);
}

// Image n's map m0..m5 as three vec2 loads (m0 m1, m2 m3, m4 m5), not six scalar ones: on lavapipe
// affine-sample-padded took 0.90-0.95x of its CPU time at 4 x 128 x 128 x 3 (4 alternating runs,
// session 28; SwiftShader level), the same bits. Each load of a map costs even though the image,
// and so its address, is uniform per workgroup there.
struct AffineMap {
  m01: vec2f,
  m23: vec2f,
  m45: vec2f,
}

fn affineMap(n: u32) -> AffineMap {
  let m = n * 3u;
  return AffineMap(transforms[m], transforms[m + 1u], transforms[m + 2u]);
}

fn affineSource(n: u32, x: f32, y: f32) -> vec2f {
  let t = affineMap(n);
  return vec2f(t.m01.x * x + t.m01.y * y + t.m23.x, t.m23.y * x + t.m45.x * y + t.m45.y);
}
