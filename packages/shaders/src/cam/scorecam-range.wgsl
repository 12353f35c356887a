// scorecam-range.wgsl
//
// Score-CAM's per-channel normaliser (Wang et al., "Score-CAM", CVPRW 2020; pytorch-grad-cam
// score_cam.py): the min and max of each activation channel after upsampling it to the input size
// with torch.nn.UpsamplingBilinear2d, i.e. bilinear with align_corners = True:
//   source(y) = y * (h - 1) / (outH - 1)   (0 when outH == 1), lerped as a + (b - a) * t.
//   ranges[n, k] = (min_yx up, max_yx up)   over the outH x outW grid
// The extremes are taken over the upsampled grid, not the source pixels, as pytorch-grad-cam does
// (an upsample rarely lands exactly on the source's extreme pixel).
//
// Dispatch: one workgroup per (n, k) (linearWorkgroup, folded past 65,535); invocations stride
// over the output pixels and a shared-memory tree folds min and max. act is NHWC [n][p][k].
// Numerics: min/max are exact given the interpolated values, which match the CPU reference to a
// few ulps (the reference evaluates the same f32-style formula in f64): tolerance abs 1e-6, rel 1e-6.

override WORKGROUP_SIZE: u32 = 256u;

struct Params {
  images: u32,
  height: u32,
  width: u32,
  channels: u32,
  outHeight: u32,
  outWidth: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> act: array<f32>;
@group(0) @binding(2) var<storage, read_write> ranges: array<f32>;

var<workgroup> lows: array<f32, WORKGROUP_SIZE>;
var<workgroup> highs: array<f32, WORKGROUP_SIZE>;

// align_corners source coordinate of output index i: (index0, index1, frac).
fn cornerCoord(i: u32, outSize: u32, inSize: u32) -> vec3f {
  var s = 0.0;
  if (outSize > 1u) {
    s = f32(i) * f32(inSize - 1u) / f32(outSize - 1u);
  }
  let i0 = min(floor(s), f32(inSize - 1u));
  let i1 = min(i0 + 1.0, f32(inSize - 1u));
  return vec3f(i0, i1, s - i0);
}

fn upsampledAt(n: u32, k: u32, q: u32) -> f32 {
  let w = params.width;
  let K = params.channels;
  let sy = cornerCoord(q / params.outWidth, params.outHeight, params.height);
  let sx = cornerCoord(q % params.outWidth, params.outWidth, w);
  let base = n * params.height * w;
  let a = act[(base + u32(sy.x) * w + u32(sx.x)) * K + k];
  let b = act[(base + u32(sy.x) * w + u32(sx.y)) * K + k];
  let c = act[(base + u32(sy.y) * w + u32(sx.x)) * K + k];
  let d = act[(base + u32(sy.y) * w + u32(sx.y)) * K + k];
  let top = a + (b - a) * sx.z;
  let bottom = c + (d - c) * sx.z;
  return top + (bottom - top) * sy.z;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let task = linearWorkgroup(wid, nwg);
  if (task >= params.images * params.channels) {
    return;
  }
  let n = task / params.channels;
  let k = task % params.channels;
  var low = 3.4028234e38;
  var high = -3.4028234e38;
  let pixels = params.outHeight * params.outWidth;
  for (var q = lid.x; q < pixels; q += WORKGROUP_SIZE) {
    let v = upsampledAt(n, k, q);
    low = min(low, v);
    high = max(high, v);
  }
  lows[lid.x] = low;
  highs[lid.x] = high;
  workgroupBarrier();
  for (var stride = WORKGROUP_SIZE / 2u; stride > 0u; stride /= 2u) {
    if (lid.x < stride) {
      lows[lid.x] = min(lows[lid.x], lows[lid.x + stride]);
      highs[lid.x] = max(highs[lid.x], highs[lid.x + stride]);
    }
    workgroupBarrier();
  }
  if (lid.x == 0u) {
    ranges[task * 2u] = lows[0];
    ranges[task * 2u + 1u] = highs[0];
  }
}
