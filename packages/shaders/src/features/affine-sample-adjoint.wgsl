// affine-sample-adjoint.wgsl
//
// The transpose of affine-sample (without its constant fill term):
//   gsrc[n, py, px, ch] = sum over output pixels q = (x, y) of
//                         max(0, 1 - |sx(q) - px|) * max(0, 1 - |sy(q) - py|) * g[n, y, x, ch]
// with (sx, sy)(q) = affineSource(n, x, y) (affine-map.wgsl), gathered per source pixel (no atomics)
// in row-major candidate order, adding only the terms with a positive weight. Two choices make it
// several times faster on software adapters (lavapipe) than scanning every output pixel the
// footprint's bounding box holds with a read-modify-write of the output per candidate (its first
// form, session 6-9):
// - it scans only the rows the footprint (a parallelogram) spans and, in each row, only the x for
//   which both |sx - px| < 1 and |sy - py| < 1 hold (two intervals along the row, intersected),
//   widened by SLACK against rounding: about 4-6 candidates per pixel instead of 36-42;
// - the sum runs in registers (4 channels at a time), written once, instead of a read-modify-write
//   of the output per candidate (which also kept the compiler from hoisting the map's loads).
//
// Dispatch: one invocation per source pixel (n, py, px); 1-D, folded (linearIndex). transforms is
// [n][6] f32, the forward pass's buffer; the map must be invertible (checked on the CPU).
// Numerics: tolerance abs 1e-4 + rel 1e-5 (affine-sample-adjoint.kernel.ts).

override WORKGROUP_SIZE: u32;

struct Params {
  images: u32,
  srcHeight: u32,
  srcWidth: u32,
  outHeight: u32,
  outWidth: u32,
  channels: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> grad: array<f32>;
@group(0) @binding(2) var<storage, read> transforms: array<f32>;
@group(0) @binding(3) var<storage, read_write> gradSrc: array<f32>;

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

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = linearIndex(wid, lid, nwg, WORKGROUP_SIZE);
  let pixels = params.srcHeight * params.srcWidth;
  if (i >= params.images * pixels) {
    return;
  }
  let C = params.channels;
  let n = i / pixels;
  let px = f32((i % pixels) % params.srcWidth);
  let py = f32((i % pixels) / params.srcWidth);
  let m = n * 6u;
  let a = transforms[m];
  let b = transforms[m + 1u];
  let e = transforms[m + 2u];
  let c = transforms[m + 3u];
  let d = transforms[m + 4u];
  let f = transforms[m + 5u];
  // The candidate rows: those inside the footprint's bounding box in y (centre cy, half height hy).
  let det = a * d - b * c;
  let cy = (a * (py - f) - c * (px - e)) / det;
  let hy = (abs(c) + abs(a)) / abs(det);
  let y0 = max(i32(floor(cy - hy - SLACK)) + 1, 0);
  let y1 = min(i32(ceil(cy + hy + SLACK)) - 1, i32(params.outHeight) - 1);
  let lastX = f32(params.outWidth - 1u);
  for (var c0 = 0u; c0 < C; c0 += 4u) {
    let width = min(4u, C - c0);
    var sum = vec4f(0.0);
    for (var y = y0; y <= y1; y++) {
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
          let base = ((n * params.outHeight + u32(y)) * params.outWidth + u32(x)) * C + c0;
          sum += w * chunk(base, width);
        }
      }
    }
    for (var k = 0u; k < width; k++) {
      gradSrc[i * C + c0 + k] = sum[k];
    }
  }
}
