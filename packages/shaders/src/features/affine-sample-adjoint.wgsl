// affine-sample-adjoint.wgsl
//
// The transpose of affine-sample.wgsl (its fill term is a constant, so it has no adjoint): the
// gradient with respect to the source of a loss whose gradient with respect to the output is g.
//   gsrc[n, py, px, ch] = sum over output pixels q = (x, y) of
//                         max(0, 1 - |sx(q) - px|) * max(0, 1 - |sy(q) - py|) * g[n, y, x, ch]
// with (sx, sy)(q) = affineSource(n, x, y), the forward kernel's function (affine-map.wgsl). This is a gather (no atomics, same
// summation order every run): the output pixels whose taps reach source pixel p lie in the image
// under the inverse map of the square p + (-1, 1)^2, i.e. a box centred at M^-1 (p - t) with half
// sizes |Minv00| + |Minv01| (x) and |Minv10| + |Minv11| (y); the loop scans that box (plus one
// pixel of margin against rounding) and weighs every candidate exactly, so candidates outside the
// footprint add 0.
//
// Dispatch: one invocation per source pixel (n, py, px), all channels in a loop; 1-D, folded
// (linearIndex). transforms is [n][6] f32, the same buffer as the forward pass; the map must be
// invertible (checked on the CPU). Numerics: a sum of at most (2 hx + 3)(2 hy + 3) terms per value
// in row-major candidate order; tolerance abs 1e-4 + rel 1e-5 (coordinates
// round to 2^-24 |coordinate|, which moves values by that times their slope) (affine-sample-adjoint.kernel.ts).

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
  let c = transforms[m + 3u];
  let d = transforms[m + 4u];
  let det = a * d - b * c;
  let rx = px - transforms[m + 2u];
  let ry = py - transforms[m + 5u];
  let cx = (d * rx - b * ry) / det;
  let cy = (a * ry - c * rx) / det;
  let hx = (abs(d) + abs(b)) / abs(det);
  let hy = (abs(c) + abs(a)) / abs(det);
  let x0 = max(i32(floor(cx - hx)) - 1, 0);
  let x1 = min(i32(ceil(cx + hx)) + 1, i32(params.outWidth) - 1);
  let y0 = max(i32(floor(cy - hy)) - 1, 0);
  let y1 = min(i32(ceil(cy + hy)) + 1, i32(params.outHeight) - 1);
  for (var ch = 0u; ch < C; ch++) {
    gradSrc[i * C + ch] = 0.0;
  }
  for (var y = y0; y <= y1; y++) {
    for (var x = x0; x <= x1; x++) {
      let s = affineSource(n, f32(x), f32(y));
      let w = max(0.0, 1.0 - abs(s.x - px)) * max(0.0, 1.0 - abs(s.y - py));
      if (w > 0.0) {
        let base = ((n * params.outHeight + u32(y)) * params.outWidth + u32(x)) * C;
        for (var ch = 0u; ch < C; ch++) {
          gradSrc[i * C + ch] += w * grad[base + ch];
        }
      }
    }
  }
}
