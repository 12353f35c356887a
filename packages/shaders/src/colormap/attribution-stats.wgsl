// attribution-stats.wgsl
//
// One pass over an attribution map for the no-readback draw path of <xai-heatmap>: the value range,
// the largest signed magnitude (sign.wgsl; what the colour scale and the percentile histogram need)
// and a count of NaN / +-Inf values, so the picture never silently shows a broken map. Output words
// (u32, zeroed/initialised by the caller, see ATTRIBUTION_STATS_INIT in attribution-stats.ref.ts):
//   [0] atomicMin of orderedKey(v) over finite v   (init 0xffffffff: no finite value yet)
//   [1] atomicMax of orderedKey(v) over finite v   (init 0)
//   [2] atomicMax of bitcast<u32>(s(v)), s(v) > 0  (init 0; the magnitude-max trick)
//   [3] number of non-finite values               (init 0)
//   [4] smallest index of a non-finite value       (init 0xffffffff: none)
// orderedKey maps f32 bit patterns onto u32 so that integer order equals float order (negatives:
// all bits flipped; non-negatives: sign bit set), which makes atomicMin/atomicMax exact float min/max.
// Non-finite values are recognised by their bit pattern (WGSL may fold `x != x` away) and are left out
// of [0..2].
//
// Dispatch: 1-D, ceil(count / VALUES_PER_THREAD) invocations (folded past 65,535 workgroups). Each
// invocation reduces VALUES_PER_THREAD values in registers (strided by the invocation count, so
// neighbouring invocations read neighbouring values), then issues one global atomic per word it has
// something for. No workgroup memory and no barriers: software GPUs (SwiftShader, lavapipe) run
// workgroup atomics and barriers an order of magnitude slower than this (measured in Chromium on
// SwiftShader at 224x224: 67 ms for a workgroup-atomic version, vs 2.5 ms for the histogram pass).
// Numerics: exact (no arithmetic on the values); tolerance 0.

override WORKGROUP_SIZE: u32;
override VALUES_PER_THREAD: u32;

struct Params {
  count: u32,
  sign: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> values: array<f32>;
@group(0) @binding(2) var<storage, read_write> stats: array<atomic<u32>>;

const NONE: u32 = 0xffffffffu;

fn isNonFinite(bits: u32) -> bool {
  return (bits & 0x7fffffffu) >= 0x7f800000u;
}

fn orderedKey(bits: u32) -> u32 {
  if ((bits & 0x80000000u) != 0u) {
    return ~bits;
  }
  return bits | 0x80000000u;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let t = linearIndex(wid, lid, nwg, WORKGROUP_SIZE);
  let threads = (params.count + VALUES_PER_THREAD - 1u) / VALUES_PER_THREAD;
  if (t >= threads) {
    return;
  }
  var low = NONE;
  var high = 0u;
  var magnitude = 0u;
  var nonFinite = 0u;
  var firstNonFinite = NONE;
  for (var i = t; i < params.count; i += threads) {
    let v = values[i];
    let bits = bitcast<u32>(v);
    if (isNonFinite(bits)) {
      nonFinite += 1u;
      firstNonFinite = min(firstNonFinite, i);
    } else {
      low = min(low, orderedKey(bits));
      high = max(high, orderedKey(bits));
      let s = signedMagnitude(v, params.sign);
      if (s > 0.0) {
        magnitude = max(magnitude, bitcast<u32>(s));
      }
    }
  }
  if (high != 0u) {
    atomicMin(&stats[0], low);
    atomicMax(&stats[1], high);
  }
  if (magnitude != 0u) {
    atomicMax(&stats[2], magnitude);
  }
  if (nonFinite != 0u) {
    atomicAdd(&stats[3], nonFinite);
    atomicMin(&stats[4], firstNonFinite);
  }
}
