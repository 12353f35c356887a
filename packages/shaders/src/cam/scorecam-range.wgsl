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
// over the output pixels and min-max-tree.wgsl folds min and max. act is NHWC [n][p][k].
// Numerics: min/max are exact given the interpolated values, which match the CPU reference to a
// few ulps (the reference evaluates the same f32-style formula in f64): tolerance abs 1e-6, rel 1e-6.

override WORKGROUP_SIZE: u32;

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

fn upsampledAt(n: u32, k: u32, q: u32) -> f32 {
  let K = params.channels;
  let sy = alignCornersCoord(q / params.outWidth, params.outHeight, params.height);
  let sx = alignCornersCoord(q % params.outWidth, params.outWidth, params.width);
  let taps = (bilinearTaps(sy, sx, params.width) + vec4u(n * params.height * params.width)) * K + vec4u(k);
  return bilinearMix(vec4f(act[taps.x], act[taps.y], act[taps.z], act[taps.w]), sy, sx);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let task = linearWorkgroup(wid, nwg);
  if (task >= params.images * params.channels) {
    return;
  }
  let n = task / params.channels;
  let k = task % params.channels;
  var low = F32_MAX;
  var high = -F32_MAX;
  let pixels = params.outHeight * params.outWidth;
  for (var q = lid.x; q < pixels; q += WORKGROUP_SIZE) {
    let v = upsampledAt(n, k, q);
    low = min(low, v);
    high = max(high, v);
  }
  let range = workgroupMinMax(lid.x, low, high);
  if (lid.x == 0u) {
    ranges[task * 2u] = range.x;
    ranges[task * 2u + 1u] = range.y;
  }
}
