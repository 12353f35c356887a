// guided-ig-select.wgsl
//
// Guided IG's feature selection for one row (image) per workgroup, in one dispatch:
//   done[i]  = x[i] == xMax[i]                      (the feature reached x_max)
//   scale    = max over i not done of |gradient[i]| (0 when all are done)
//   selected[i] = !done && key[i] <= the rank-th smallest key of the row (1 = smallest; +Inf when
//                 fewer than rank keys are finite)
// as 1.0 / 0.0, with the keys and the radix select of guided-ig-keys.wgsl (shared with
// guided-ig-step). The same f32 operations as the tfjs ops it replaces (selection.ts: Equal, Abs,
// Max, Multiply by 2^-KEY_BITS, RealDiv, Round half to even), so the keys are the same bits.
//
// Dispatch: `rows` workgroups, 1-D, folded past 65,535 (prelude's linearWorkgroup).

override WORKGROUP_SIZE: u32;

struct Params {
  rows: u32,
  rowLength: u32,
  rank: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> gradient: array<f32>;
@group(0) @binding(2) var<storage, read> x: array<f32>;
@group(0) @binding(3) var<storage, read> xMax: array<f32>;
@group(0) @binding(4) var<storage, read_write> selected: array<f32>;

// guided-ig-keys.wgsl's callback.
fn isDone(i: u32) -> bool {
  return x[i] == xMax[i];
}

// guided-ig-keys.wgsl's callback: the key, computed where it is needed.
fn rankKey(i: u32, cell: f32) -> u32 {
  return keyOf(i, cell);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let row = linearWorkgroup(wid, nwg);
  if (row >= params.rows) {
    return; // whole workgroup: the folded grid's ragged last row
  }
  let start = row * params.rowLength;
  let end = start + params.rowLength;

  var largest = 0.0;
  for (var i = start + lid.x; i < end; i += WORKGROUP_SIZE) {
    if (!isDone(i)) {
      largest = max(largest, abs(gradient[i]));
    }
  }
  let cell = keyCell(workgroupMinMax(lid.x, 0.0, largest).y);
  let threshold = rankedKey(lid.x, start, end, params.rank, cell);
  for (var i = start + lid.x; i < end; i += WORKGROUP_SIZE) {
    selected[i] = select(0.0, 1.0, keyOf(i, cell) <= threshold);
  }
}
