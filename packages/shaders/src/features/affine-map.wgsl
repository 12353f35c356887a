// affine-map.wgsl
//
// The per-image affine map shared by affine-sample.wgsl and its adjoint, so both compute the very
// same source coordinates (the adjoint is the transpose only if they round alike).
//   (sx, sy) = (m0 x + m1 y + m2, m3 x + m4 y + m5)      output pixel (x, y) -> source coordinates
// Pixel (i, j) sits at coordinate (i, j) (centres on integers). Reads the including kernel's
// module-scope binding `transforms: array<f32>`, [n][6] (naming convention, ADR 0006).

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

fn affineSource(n: u32, x: f32, y: f32) -> vec2f {
  let m = n * 6u;
  return vec2f(
    transforms[m] * x + transforms[m + 1u] * y + transforms[m + 2u],
    transforms[m + 3u] * x + transforms[m + 4u] * y + transforms[m + 5u],
  );
}
