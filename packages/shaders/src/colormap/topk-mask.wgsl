// topk-mask.wgsl
//
// Top-k% mask and its contour, for the `masked` and `contour` display modes: a pixel is inside when
// its magnitude's histogram bin (sign.wgsl magnitudeBin, same binScale as magnitude-histogram) is
// above `thresholdBin`, the bin of the (100 - k)-th percentile (percentileFromHistogram; -1 keeps
// every pixel). So the mask holds exactly the pixels counted by histogram bins > thresholdBin: at most
// k% of them (ties inside the threshold bin are left out). Output per pixel (u32):
//   0 outside, 1 inside, 2 inside and on the contour (a 4-neighbour inside the image is outside).
//
// Dispatch: 1-D over width * height pixels (row-major), ceil(count / WORKGROUP_SIZE) workgroups
// folded past 65,535. Each invocation re-derives its 4 neighbours' bins (no second pass).
// Numerics: discrete output, reproduced exactly by the CPU reference; tolerance 0.

override WORKGROUP_SIZE: u32;

struct Params {
  width: u32,
  height: u32,
  sign: u32,
  bins: u32,
  binScale: f32,
  thresholdBin: i32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> values: array<f32>;
@group(0) @binding(2) var<storage, read_write> mask: array<u32>;

fn inside(x: u32, y: u32) -> bool {
  let s = signedMagnitude(values[y * params.width + x], params.sign);
  return i32(magnitudeBin(s, params.binScale, params.bins)) > params.thresholdBin;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = linearIndex(wid, lid, nwg, WORKGROUP_SIZE);
  if (i >= params.width * params.height) {
    return;
  }
  let x = i % params.width;
  let y = i / params.width;
  if (!inside(x, y)) {
    mask[i] = 0u;
    return;
  }
  var edge = false;
  if (x > 0u && !inside(x - 1u, y)) { edge = true; }
  if (x + 1u < params.width && !inside(x + 1u, y)) { edge = true; }
  if (y > 0u && !inside(x, y - 1u)) { edge = true; }
  if (y + 1u < params.height && !inside(x, y + 1u)) { edge = true; }
  mask[i] = select(1u, 2u, edge);
}
