// guided-ig-clip.wgsl
//
// Guided IG's catch-up of features that fell behind alpha_min (PAIR: x[x_alpha < alpha_min] =
// x_min), elementwise over rows (images) of rowLength features:
//   clipped[i] = going[row] != 0 && diff[i] != 0 && (x[i] - xBase[i]) / diff[i] < alphaMin ? xMin[i] : x[i]
// (where the input equals the baseline, diff = 0, a feature is never behind). The same f32
// operations as the tfjs ops it replaces (Sub, RealDiv, Less: one rounding each, nothing to
// contract), so the comparison and the result are the same bits; five dispatches become one.
//
// Dispatch: one invocation per feature, 1-D, folded past 65,535 workgroups (prelude's linearIndex).

override WORKGROUP_SIZE: u32;

struct Params {
  rows: u32,
  rowLength: u32,
  alphaMin: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> xBase: array<f32>;
@group(0) @binding(3) var<storage, read> diff: array<f32>;
@group(0) @binding(4) var<storage, read> xMin: array<f32>;
// One flag per row: 1 while the image is still iterating, else 0.
@group(0) @binding(5) var<storage, read> going: array<f32>;
@group(0) @binding(6) var<storage, read_write> clipped: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = linearIndex(wid, lid, nwg, WORKGROUP_SIZE);
  if (i >= params.rows * params.rowLength) {
    return;
  }
  let d = diff[i];
  let safe = select(1.0, d, d != 0.0);
  let behind = going[i / params.rowLength] != 0.0 && d != 0.0 && (x[i] - xBase[i]) / safe < params.alphaMin;
  clipped[i] = select(x[i], xMin[i], behind);
}
