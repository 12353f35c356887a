// affine-footprint.wgsl
//
// The gather at the heart of affine-sample's transpose, shared by affine-sample-adjoint.wgsl and
// affine-fourier-adjoint.wgsl (the latter must sum exactly as the former does):
//   footprintSum(n, px, py, ...) = sum over output pixels q = (x, y) of
//       max(0, 1 - |sx(q) - px|) * max(0, 1 - |sy(q) - py|) * grad[n, y, x, c0 .. c0 + width)
// with (sx, sy)(q) = affineSource(n, x, y) (affine-map.wgsl), in row-major candidate order, adding
// only the terms with a positive weight. It scans only the rows the footprint (a parallelogram)
// spans and, in each row, only the x for which both |sx - px| < 1 and |sy - py| < 1 hold (two
// intervals along the row, intersected), widened by SLACK against rounding: about 4-6 candidates
// per pixel instead of the 36-42 of its bounding box; the sum stays in registers (4 channels).
// Reads the including kernel's module-scope bindings `grad: array<f32>` (NHWC, [n, outHeight,
// outWidth, channels]) and `transforms: array<f32>` ([n][6]) (naming convention, ADR 0006).

// How far (in pixels) outside the footprint, as computed here, a candidate may lie and still be
// scanned: the bounds round differently from affineSource, by far less than this (~1e-4 at
// coordinates of 1000), so no candidate of positive weight is skipped. A scanned candidate outside
// the footprint weighs exactly 0.
const SLACK = 0.01;

// The x (as floats) where slope * x + offset lies in (goal - 1, goal + 1), as [lo, hi]; the
// whole row when the slope is 0 (then the row either reaches the goal everywhere or nowhere; the
// exact weights decide).
fn reach(slope: f32, offset: f32, goal: f32) -> vec2f {
  if (slope == 0.0) {
    return vec2f(-3.0e38, 3.0e38);
  }
  let u = (goal - 1.0 - offset) / slope;
  let v = (goal + 1.0 - offset) / slope;
  return vec2f(min(u, v), max(u, v));
}

// grad[base + k] for k < width (<= 4), zero beyond: one vector add per candidate instead of a loop
// over a dynamically indexed vector (which the compiler keeps in memory). A read past the end of
// grad is defined in WGSL (clamped or zero) and its lane is dropped by the select.
fn chunk(base: u32, width: u32) -> vec4f {
  return vec4f(
    grad[base],
    select(0.0, grad[base + 1u], width > 1u),
    select(0.0, grad[base + 2u], width > 2u),
    select(0.0, grad[base + 3u], width > 3u),
  );
}

// The footprint's candidate rows [y0, y1] of source pixel (px, py) of image n (its bounding box in
// y, clamped to the output's rows).
fn footprintRows(n: u32, px: f32, py: f32, outHeight: u32) -> vec2i {
  let m = n * 6u;
  let a = transforms[m];
  let c = transforms[m + 3u];
  let det = a * transforms[m + 4u] - transforms[m + 1u] * c;
  let cy = (a * (py - transforms[m + 5u]) - c * (px - transforms[m + 2u])) / det;
  let hy = (abs(c) + abs(a)) / abs(det);
  return vec2i(max(i32(floor(cy - hy - SLACK)) + 1, 0), min(i32(ceil(cy + hy + SLACK)) - 1, i32(outHeight) - 1));
}

// The gather above for channels [c0, c0 + width) (width <= 4) of grad's `channels`, output [outHeight, outWidth].
fn footprintSum(n: u32, px: f32, py: f32, outHeight: u32, outWidth: u32, channels: u32, c0: u32, width: u32) -> vec4f {
  let rows = footprintRows(n, px, py, outHeight);
  let m = n * 6u;
  let a = transforms[m];
  let b = transforms[m + 1u];
  let e = transforms[m + 2u];
  let c = transforms[m + 3u];
  let d = transforms[m + 4u];
  let f = transforms[m + 5u];
  let lastX = f32(outWidth - 1u);
  var sum = vec4f(0.0);
  for (var y = rows.x; y <= rows.y; y++) {
    let fy = f32(y);
    let alongX = reach(a, b * fy + e, px);
    let alongY = reach(c, d * fy + f, py);
    let lo = max(floor(max(alongX.x, alongY.x) - SLACK) + 1.0, 0.0);
    let hi = min(ceil(min(alongX.y, alongY.y) + SLACK) - 1.0, lastX);
    if (lo > hi) {
      continue;
    }
    for (var x = i32(lo); x <= i32(hi); x++) {
      let s = affineSource(n, f32(x), fy);
      let w = max(0.0, 1.0 - abs(s.x - px)) * max(0.0, 1.0 - abs(s.y - py));
      if (w > 0.0) {
        let base = ((n * outHeight + u32(y)) * outWidth + u32(x)) * channels + c0;
        sum += w * chunk(base, width);
      }
    }
  }
  return sum;
}
