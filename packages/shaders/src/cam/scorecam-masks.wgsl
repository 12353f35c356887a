// scorecam-masks.wgsl
//
// Score-CAM's masked inputs (Wang et al., CVPRW 2020; pytorch-grad-cam score_cam.py), written
// straight into the model's input buffer, `count` channels k0 .. k0 + count - 1 of image n:
//   mask_k(y, x)      = (up_k(y, x) - lo_k) / (hi_k - lo_k + 1e-8)      (ranges from scorecam-range)
//   out[b, y, x, c]   = image[n, y, x, c] * mask_{k0 + b}(y, x)
// up_k is the align_corners bilinear upsample of activation channel k (bilinear.wgsl, as scorecam-range).
//
// Dispatch: one invocation per output pixel (b, y, x), 1-D, ceil(count * outH * outW /
// WORKGROUP_SIZE) workgroups folded past 65,535; each writes the image's `imageChannels` values.
// Numerics: the lerp, one division and one product: tolerance abs 1e-6, rel 1e-5.

override WORKGROUP_SIZE: u32;

struct Params {
  image: u32,
  channelStart: u32,
  count: u32,
  height: u32,
  width: u32,
  channels: u32,
  outHeight: u32,
  outWidth: u32,
  imageChannels: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> images: array<f32>;
@group(0) @binding(2) var<storage, read> act: array<f32>;
@group(0) @binding(3) var<storage, read> ranges: array<f32>;
@group(0) @binding(4) var<storage, read_write> output: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = linearIndex(wid, lid, nwg, WORKGROUP_SIZE);
  let pixels = params.outHeight * params.outWidth;
  if (i >= params.count * pixels) {
    return;
  }
  let b = i / pixels;
  let q = i % pixels;
  let n = params.image;
  let k = params.channelStart + b;
  let K = params.channels;
  let sy = alignCornersCoord(q / params.outWidth, params.outHeight, params.height);
  let sx = alignCornersCoord(q % params.outWidth, params.outWidth, params.width);
  let taps = (bilinearTaps(sy, sx, params.width) + vec4u(n * params.height * params.width)) * K + vec4u(k);
  let up = bilinearMix(vec4f(act[taps.x], act[taps.y], act[taps.z], act[taps.w]), sy, sx);
  let lo = ranges[(n * K + k) * 2u];
  let hi = ranges[(n * K + k) * 2u + 1u];
  // max() keeps the 1e-8 when the compiler reassociates (hi + 1e-8) - lo (see cam-map.wgsl).
  let mask = (up - lo) / max(hi - lo + 1e-8, 1e-8);
  let C = params.imageChannels;
  let src = (n * pixels + q) * C;
  let dst = i * C;
  for (var c = 0u; c < C; c++) {
    output[dst + c] = images[src + c] * mask;
  }
}
