// copy.wgsl
//
// output[i] = input[i] for i < count. The bandwidth yardstick of `pnpm bench`: every kernel's
// achieved GB/s is reported as a fraction of this plain copy's on the same device (one f32 per
// invocation, the access pattern our elementwise kernels use). Buffers are better copied with
// copyBufferToBuffer; this kernel exists to measure what a compute shader can move.
//
// Dispatch: 1-D, one invocation per element, folded past 65,535 workgroups. Exact.

override WORKGROUP_SIZE: u32;

struct Params {
  count: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> input: array<f32>;
@group(0) @binding(2) var<storage, read_write> output: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = linearIndex(wid, lid, nwg, WORKGROUP_SIZE);
  if (i >= params.count) {
    return;
  }
  output[i] = input[i];
}
