// affine.wgsl
//
// Elementwise affine map: output[i] = input[i] * scale + offset, for i < count.
// Used to rescale attributions, build constant/scaled baselines and normalise inputs.
//
// Dispatch: 1-D, one invocation per element, ceil(count / WORKGROUP_SIZE) workgroups folded
// past 65,535 (prelude's linearIndex). In-place use (input == output) is not allowed by WebGPU
// (one buffer bound twice as read + read_write); use two buffers.
// Numerics: one multiply and one add (the compiler may fuse them): tolerance abs 1e-6, rel 1e-6.

override WORKGROUP_SIZE: u32;

struct Params {
  count: u32,
  scale: f32,
  offset: f32,
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
  output[i] = input[i] * params.scale + params.offset;
}
