// fill.wgsl
//
// output[i] = value for i < count: zero or constant buffers (baselines, accumulators) without
// uploading a host array. Dispatch: 1-D, folded past 65,535 workgroups. Exact.

override WORKGROUP_SIZE: u32;

struct Params {
  count: u32,
  value: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> output: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = linearIndex(wid, lid, nwg, WORKGROUP_SIZE);
  if (i >= params.count) {
    return;
  }
  output[i] = params.value;
}
