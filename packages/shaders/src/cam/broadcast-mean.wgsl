// broadcast-mean.wgsl
//
// The mean over `positions` of a value that is the same at every position, summed as tfjs-webgpu's
// AvgPool sums a window (Pool2DProgram 'avg': from 0.0, one add per position in order, then the sum
// divided by max(count, 1)):
//   output[i] = (((0 + v) + v) + ... + v) / positions        v = values[i], positions adds
// That is tfjs's Mean over [h, w] (run as AvgPool on software adapters, mean-as-avg-pool) of
// tf.broadcastTo(values, [n, h, w, c]) (a Tile), value for value: Grad-CAM's weights from a gradient
// that is one value per channel broadcast over the positions (a linear GAP + Dense tail's closed
// form), in one dispatch instead of Tile + AvgPool and without writing the broadcast.
// The repeated add is kept on purpose: positions * v rounds differently.
//
// Dispatch: one invocation per value, 1-D, ceil(count / WORKGROUP_SIZE) workgroups folded past 65,535.
// Numerics: the f32 sum of `positions` equal terms, then one division (see broadcast-mean.kernel.ts).

override WORKGROUP_SIZE: u32;

struct Params {
  count: u32,
  positions: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> values: array<f32>;
@group(0) @binding(2) var<storage, read_write> output: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = linearIndex(wid, lid, nwg, WORKGROUP_SIZE);
  if (i >= params.count) {
    return;
  }
  let v = values[i];
  var total = 0.0;
  var count = 0.0;
  for (var p = 0u; p < params.positions; p++) {
    total = total + v;
    count = count + 1.0;
  }
  output[i] = total / max(count, 1.0);
}
