// guided-ig-select.wgsl
//
// Guided IG's feature selection for one row (image) per workgroup, in one dispatch:
//   done[i]  = x[i] == xMax[i]                      (the feature reached x_max)
//   scale    = max over i not done of |gradient[i]| (0 when all are done)
//   key[i]   = done ? +Inf : round(|gradient[i]| / cell),  cell = (scale > 0 ? scale : 1) * 2^-KEY_BITS
//   selected[i] = !done && key[i] <= the rank-th smallest key of the row (1 = smallest; +Inf when
//                 fewer than rank keys are finite)
// as 1.0 / 0.0. The same f32 operations as the tfjs ops it replaces (selection.ts: Equal, Abs, Max,
// Multiply by 2^-KEY_BITS, RealDiv, Round half to even), one rounding each, so the keys are the
// same bits; the rank-th key is found by a two-level radix select in workgroup memory (the full
// 2^14 + 1 bin histogram, 64 KiB, does not fit the 16 KiB WebGPU guarantees):
//   1. count the keys by their high bits (key >> LOW_BITS; one overflow bin for +Inf);
//      invocation 0 walks the bins to the one holding the rank-th key;
//   2. count the keys of that bin by their low bits; invocation 0 walks to the rank-th.
// Counts are integers added with atomics: exact and independent of invocation order.
// A NaN key (a NaN or infinite gradient) counts as +Inf and is never selected, as in tfjs's
// LessEqual; which rank it takes under topk differed per backend.
//
// Dispatch: `rows` workgroups, 1-D, folded past 65,535 (prelude's linearWorkgroup).

override WORKGROUP_SIZE: u32;
override KEY_BITS: u32 = 14u;
const LOW_BITS: u32 = 7u;
const LOW_BINS: u32 = 128u; // 1 << LOW_BITS
// High bins 0 ..= MAX_KEY >> LOW_BITS, then the overflow bin: sized for KEY_BITS <= 14.
const BINS: u32 = 130u;

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

var<workgroup> counts: array<atomic<u32>, BINS>;
var<workgroup> cellSize: f32;
// The high bin holding the rank-th key, and the rank left inside it.
var<workgroup> chosenHigh: u32;
var<workgroup> rankInBin: u32;

fn maxKey() -> u32 {
  return 1u << KEY_BITS;
}

fn overflowHigh() -> u32 {
  return (maxKey() >> LOW_BITS) + 1u;
}

fn isDone(i: u32) -> bool {
  return x[i] == xMax[i];
}

/** Key of feature i: maxKey() + 1 stands for +Inf (done, or a NaN gradient). */
fn keyOf(i: u32, cell: f32) -> u32 {
  let key = round(abs(gradient[i]) / cell);
  if (isDone(i) || isNan(key) || key > f32(maxKey())) {
    return maxKey() + 1u;
  }
  return u32(key);
}

fn highOf(key: u32) -> u32 {
  return select(key >> LOW_BITS, overflowHigh(), key > maxKey());
}

fn clearCounts(lid: u32) {
  for (var b = lid; b < BINS; b += WORKGROUP_SIZE) {
    atomicStore(&counts[b], 0u);
  }
}

/** Walks `bins` counts from the first; returns the bin where the running count reaches `rank`, and the rank left in it. */
fn walk(bins: u32, rank: u32) -> vec2u {
  var before = 0u;
  var bin = 0u;
  for (; bin < bins; bin++) {
    let here = atomicLoad(&counts[bin]);
    if (before + here >= rank) {
      break;
    }
    before += here;
  }
  return vec2u(bin, rank - before);
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
  let scale = workgroupMinMax(lid.x, 0.0, largest).y;
  // A power-of-two scaling (2^-KEY_BITS from its bits, not exp2, which may be approximate): exact
  // as tfjs's Multiply by 2^-KEY_BITS, barring subnormals.
  let cell = select(1.0, scale, scale > 0.0) * bitcast<f32>((127u - KEY_BITS) << 23u);

  clearCounts(lid.x);
  workgroupBarrier();
  for (var i = start + lid.x; i < end; i += WORKGROUP_SIZE) {
    atomicAdd(&counts[highOf(keyOf(i, cell))], 1u);
  }
  workgroupBarrier();
  if (lid.x == 0u) {
    let found = walk(overflowHigh(), params.rank);
    chosenHigh = found.x;
    rankInBin = found.y;
  }
  workgroupBarrier();
  let high = chosenHigh;

  clearCounts(lid.x);
  workgroupBarrier();
  if (high < overflowHigh()) {
    for (var i = start + lid.x; i < end; i += WORKGROUP_SIZE) {
      let key = keyOf(i, cell);
      if (highOf(key) == high) {
        atomicAdd(&counts[key & (LOW_BINS - 1u)], 1u);
      }
    }
  }
  workgroupBarrier();
  if (lid.x == 0u) {
    // The rank-th key; past maxKey() (+Inf) when fewer than rank keys are finite.
    chosenHigh = select((high << LOW_BITS) + walk(LOW_BINS - 1u, rankInBin).x, maxKey() + 1u, high >= overflowHigh());
  }
  workgroupBarrier();
  // key <= threshold among finite keys; +Inf keys (done, NaN) never, as tfjs's LessEqual and LogicalNot(done).
  let threshold = min(chosenHigh, maxKey());
  for (var i = start + lid.x; i < end; i += WORKGROUP_SIZE) {
    selected[i] = select(0.0, 1.0, keyOf(i, cell) <= threshold);
  }
}
