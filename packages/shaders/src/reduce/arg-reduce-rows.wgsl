// arg-reduce-rows.wgsl
//
// Batched per-row argmax / argmin: index[r] = the position in row r (0 .. rowLength - 1) of its
// largest (OP_ARGMAX) or smallest (OP_ARGMIN) value, e.g. the predicted class of each image from
// a [batch, classes] logits buffer, or the peak of each saliency map.
//
// Ties and NaN (numpy's argmax/argmin rules): the lowest index wins among equal values, and a NaN
// counts as the extreme, so a row holding NaN gives the index of its first NaN. NaN is detected on
// the bit pattern, not with comparisons (WGSL lets implementations assume there is no NaN).
// The result is exact and independent of the dispatch geometry: every comparison also compares
// indices, so the reduction order does not matter.
//
// Algorithm and dispatch: as reduce-rows.wgsl (per CHUNK of a row, a strided fold per invocation,
// then two sequential levels of FOLD over the workgroup's partials: 2 barriers; partials in
// row-major [rows][groupsPerRow], repeated passes), carrying (value, index) pairs. In the first
// pass (params.firstPass = 1) a value's index is its position and `inputIndex` is not read (bind
// any buffer, e.g. the input again); later passes read the partials' indices from `inputIndex`.
// rows * groupsPerRow workgroups, 1-D, folded past 65,535.

override WORKGROUP_SIZE: u32;
override ITEMS_PER_THREAD: u32 = 16u;
override OP: u32 = 0u;
// Partials per level-1 fold and level-1 results per workgroup (WORKGROUP_SIZE <= FOLD * FOLD).
const FOLD: u32 = 16u;

const OP_ARGMAX: u32 = 0u;
const OP_ARGMIN: u32 = 1u; // the values of OP that arg-reduce-rows.kernel.ts sets; `better` tests OP_ARGMAX only

struct Params {
  rows: u32,
  rowLength: u32,
  groupsPerRow: u32,
  firstPass: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> input: array<f32>;
@group(0) @binding(2) var<storage, read> inputIndex: array<u32>;
@group(0) @binding(3) var<storage, read_write> outputValue: array<f32>;
@group(0) @binding(4) var<storage, read_write> outputIndex: array<u32>;

var<workgroup> bestValue: array<f32, WORKGROUP_SIZE>;
var<workgroup> bestIndex: array<u32, WORKGROUP_SIZE>;
var<workgroup> foldedValue: array<f32, FOLD>;
var<workgroup> foldedIndex: array<u32, FOLD>;

// Whether (v, i) beats (w, j).
fn better(v: f32, i: u32, w: f32, j: u32) -> bool {
  let nanV = isNan(v);
  let nanW = isNan(w);
  if (nanV || nanW) {
    return select(nanV, (i < j), nanV && nanW);
  }
  if (v == w) {
    return i < j;
  }
  return select((v < w), (v > w), OP == OP_ARGMAX);
}

fn indexOf(base: u32, i: u32) -> u32 {
  if (params.firstPass == 1u) {
    return i;
  }
  return inputIndex[base + i];
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let task = linearWorkgroup(wid, nwg);
  if (task >= params.rows * params.groupsPerRow) {
    return;
  }
  let row = task / params.groupsPerRow;
  let start = (task % params.groupsPerRow) * (WORKGROUP_SIZE * ITEMS_PER_THREAD);
  let end = min(start + WORKGROUP_SIZE * ITEMS_PER_THREAD, params.rowLength);
  let base = row * params.rowLength;

  let activeCount = min(end - start, WORKGROUP_SIZE);
  if (lid.x < activeCount) {
    var value = input[base + start + lid.x];
    var index = indexOf(base, start + lid.x);
    for (var i = start + lid.x + WORKGROUP_SIZE; i < end; i += WORKGROUP_SIZE) {
      let v = input[base + i];
      let k = indexOf(base, i);
      if (better(v, k, value, index)) {
        value = v;
        index = k;
      }
    }
    bestValue[lid.x] = value;
    bestIndex[lid.x] = index;
  }
  workgroupBarrier();

  let first = lid.x * FOLD;
  if (first < activeCount) {
    var value = bestValue[first];
    var index = bestIndex[first];
    for (var j = first + 1u; j < min(first + FOLD, activeCount); j++) {
      if (better(bestValue[j], bestIndex[j], value, index)) {
        value = bestValue[j];
        index = bestIndex[j];
      }
    }
    foldedValue[lid.x] = value;
    foldedIndex[lid.x] = index;
  }
  workgroupBarrier();
  if (lid.x == 0u) {
    var value = foldedValue[0];
    var index = foldedIndex[0];
    for (var j = 1u; j < (activeCount + FOLD - 1u) / FOLD; j++) {
      if (better(foldedValue[j], foldedIndex[j], value, index)) {
        value = foldedValue[j];
        index = foldedIndex[j];
      }
    }
    outputValue[task] = value;
    outputIndex[task] = index;
  }
}
