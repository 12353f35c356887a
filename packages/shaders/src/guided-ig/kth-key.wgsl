// kth-key.wgsl
//
// Guided IG's selection threshold: per row of integer keys (quantised |gradient|, 0..MAX_KEY, or
// +Inf for a finished feature), output[r] = the rank-th smallest key of row r (rank = kth + 1,
// counted from 1), or +Inf when fewer than `rank` keys are finite. It replaces tfjs's
// topk(-key, rank) + min: topk sorts (a bitonic network of many dispatches; 20 ms for 3,072 keys
// on lavapipe), while the keys are small integers, so two histograms find the same value.
//
// Algorithm: one workgroup per row, a two-level radix select in workgroup memory (the full
// 2^14 + 1 bin histogram, 64 KiB, does not fit the 16 KiB WebGPU guarantees):
//   1. count the keys by their high bits (key >> LOW_BITS; one overflow bin for +Inf and anything
//      that is not a key); invocation 0 walks the bins to the one holding the rank-th key;
//   2. count the keys of that bin by their low bits; invocation 0 walks to the rank-th.
// Counts are integers added with atomics, so the result does not depend on the order the
// invocations run in: exact and deterministic (tolerance 0).
//
// Keys: a value counts as key v when 0 <= v <= MAX_KEY (u32(v) truncates: callers pass integers).
// +Inf, NaN (tested on the bit pattern: WGSL may assume there is none), negatives and values above
// MAX_KEY all land in the overflow bin, i.e. they count as +Inf.
//
// Dispatch: `rows` workgroups, 1-D, folded past 65,535 (prelude's linearWorkgroup).

override WORKGROUP_SIZE: u32;
override MAX_KEY: u32 = 16384u;
const LOW_BITS: u32 = 7u;
const LOW_BINS: u32 = 128u; // 1 << LOW_BITS
// High bins 0 ..= MAX_KEY >> LOW_BITS, then the overflow bin. Sized for MAX_KEY up to 2^14.
const BINS: u32 = 130u;

struct Params {
  rows: u32,
  rowLength: u32,
  rank: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> keys: array<f32>;
@group(0) @binding(2) var<storage, read_write> output: array<f32>;

var<workgroup> counts: array<atomic<u32>, BINS>;
// The high bin holding the rank-th key, and the rank left inside it.
var<workgroup> chosenHigh: u32;
var<workgroup> rankInBin: u32;

fn overflowHigh() -> u32 {
  return (MAX_KEY >> LOW_BITS) + 1u;
}

/** Key of a value (MAX_KEY + 1 for anything that counts as +Inf). */
fn keyOf(v: f32) -> u32 {
  if (isNan(v) || !(v >= 0.0) || v > f32(MAX_KEY)) {
    return MAX_KEY + 1u;
  }
  return u32(v);
}

fn highOf(key: u32) -> u32 {
  return select(key >> LOW_BITS, overflowHigh(), key > MAX_KEY);
}

fn clearCounts(lid: u32) {
  for (var b = lid; b < BINS; b += WORKGROUP_SIZE) {
    atomicStore(&counts[b], 0u);
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let row = linearWorkgroup(wid, nwg);
  if (row >= params.rows) {
    return; // whole workgroup: the folded grid's ragged last row
  }
  let base = row * params.rowLength;

  clearCounts(lid.x);
  workgroupBarrier();
  for (var i = lid.x; i < params.rowLength; i += WORKGROUP_SIZE) {
    atomicAdd(&counts[highOf(keyOf(keys[base + i]))], 1u);
  }
  workgroupBarrier();
  if (lid.x == 0u) {
    var before = 0u;
    var high = 0u;
    for (; high < overflowHigh(); high++) {
      let here = atomicLoad(&counts[high]);
      if (before + here >= params.rank) {
        break;
      }
      before += here;
    }
    chosenHigh = high;
    rankInBin = params.rank - before;
  }
  workgroupBarrier();
  let high = chosenHigh;

  clearCounts(lid.x);
  workgroupBarrier();
  if (high < overflowHigh()) {
    for (var i = lid.x; i < params.rowLength; i += WORKGROUP_SIZE) {
      let key = keyOf(keys[base + i]);
      if (highOf(key) == high) {
        atomicAdd(&counts[key & (LOW_BINS - 1u)], 1u);
      }
    }
  }
  workgroupBarrier();
  if (lid.x == 0u) {
    if (high >= overflowHigh()) {
      // +Inf: fewer than rank finite keys. Through a var: a constant +Inf is a WGSL shader-creation error.
      var infBits = 0x7f800000u;
      output[row] = bitcast<f32>(infBits);
      return;
    }
    var before = 0u;
    var low = 0u;
    for (; low < LOW_BINS - 1u; low++) {
      let here = atomicLoad(&counts[low]);
      if (before + here >= rankInBin) {
        break;
      }
      before += here;
    }
    output[row] = f32((high << LOW_BITS) + low);
  }
}
