// ablation-batch.wgsl
//
// Ablation-CAM's ablated activations (Desai & Ramaswamy, WACV 2020; pytorch-grad-cam
// ablation_cam.py), written straight into the tail's input buffer: `count` copies of image n's
// activation, copy b with channel k0 + b set to `value`:
//   out[b, p, c] = value                      if c == k0 + b
//                = act[n, p, c]               otherwise
// (act and out NHWC with the positions flattened: [images, positions, channels], [count, positions, channels]).
//
// Dispatch: one invocation per output value, 1-D, ceil(count * positions * channels /
// WORKGROUP_SIZE) workgroups folded past 65,535. Numerics: copies only, exact.

override WORKGROUP_SIZE: u32;

struct Params {
  image: u32,
  channelStart: u32,
  count: u32,
  positions: u32,
  channels: u32,
  value: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> act: array<f32>;
@group(0) @binding(2) var<storage, read_write> output: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = linearIndex(wid, lid, nwg, WORKGROUP_SIZE);
  let perImage = params.positions * params.channels;
  if (i >= params.count * perImage) {
    return;
  }
  let b = i / perImage;
  let within = i % perImage;
  let c = within % params.channels;
  if (c == params.channelStart + b) {
    output[i] = params.value;
  } else {
    output[i] = act[params.image * perImage + within];
  }
}
