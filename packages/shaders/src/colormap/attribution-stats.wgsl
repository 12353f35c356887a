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
// Dispatch: 1-D, one invocation per element, ceil(count / WORKGROUP_SIZE) workgroups folded past
// 65,535. Each workgroup reduces into workgroup atomics first, then issues one global atomic per word.
// Numerics: exact (no arithmetic on the values); tolerance 0.

override WORKGROUP_SIZE: u32;

struct Params {
  count: u32,
  sign: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> values: array<f32>;
@group(0) @binding(2) var<storage, read_write> stats: array<atomic<u32>>;

var<workgroup> localLow: atomic<u32>;
var<workgroup> localHigh: atomic<u32>;
var<workgroup> localMagnitude: atomic<u32>;
var<workgroup> localNonFinite: atomic<u32>;
var<workgroup> localFirstNonFinite: atomic<u32>;

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
  let i = linearIndex(wid, lid, nwg, WORKGROUP_SIZE);
  if (lid.x == 0u) {
    atomicStore(&localLow, NONE);
    atomicStore(&localHigh, 0u);
    atomicStore(&localMagnitude, 0u);
    atomicStore(&localNonFinite, 0u);
    atomicStore(&localFirstNonFinite, NONE);
  }
  workgroupBarrier();
  if (i < params.count) {
    let v = values[i];
    let bits = bitcast<u32>(v);
    if (isNonFinite(bits)) {
      atomicAdd(&localNonFinite, 1u);
      atomicMin(&localFirstNonFinite, i);
    } else {
      atomicMin(&localLow, orderedKey(bits));
      atomicMax(&localHigh, orderedKey(bits));
      let s = signedMagnitude(v, params.sign);
      if (s > 0.0) {
        atomicMax(&localMagnitude, bitcast<u32>(s));
      }
    }
  }
  workgroupBarrier();
  if (lid.x == 0u) {
    let high = atomicLoad(&localHigh);
    if (high != 0u) {
      atomicMin(&stats[0], atomicLoad(&localLow));
      atomicMax(&stats[1], high);
    }
    let m = atomicLoad(&localMagnitude);
    if (m != 0u) {
      atomicMax(&stats[2], m);
    }
    let bad = atomicLoad(&localNonFinite);
    if (bad != 0u) {
      atomicAdd(&stats[3], bad);
      atomicMin(&stats[4], atomicLoad(&localFirstNonFinite));
    }
  }
}
