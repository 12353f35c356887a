// segment-scatter.wgsl
//
// Attribution scatter from segments back to pixels: out[outOffset + p] = values[segments[p]]
// (LIME / KernelSHAP / partition SHAP / anchors give one value per superpixel; the map shows it on
// every pixel of the superpixel).
//
// Dispatch: 1-D, one invocation per pixel, ceil(pixels / WORKGROUP_SIZE) workgroups folded past
// 65,535. Numerics: a copy, exact.

override WORKGROUP_SIZE: u32;

struct Params {
  pixels: u32,
  outOffset: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> segments: array<u32>;
@group(0) @binding(2) var<storage, read> values: array<f32>;
@group(0) @binding(3) var<storage, read_write> output: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let p = linearIndex(wid, lid, nwg, WORKGROUP_SIZE);
  if (p >= params.pixels) {
    return;
  }
  output[params.outOffset + p] = values[segments[p]];
}
