// magnitude-max.wgsl
//
// Largest signed magnitude (sign.wgsl) of an attribution map: result[0] = bits of max_i s(values[i]).
// First pass of the percentile clip (PAIR saliency's VisualizeImageGrayscale clips |attribution| at
// its 99th percentile; the histogram pass needs the range [0, max]).
//
// Trick: for non-negative finite f32, the IEEE bit pattern read as u32 is ordered like the value,
// so atomicMax on bitcast<u32>(s) is an exact float max. Non-positive magnitudes (including -0.0)
// contribute 0u. The caller zeroes result[0] before the dispatch.
//
// Dispatch: 1-D, ceil(count / VALUES_PER_THREAD) invocations (folded past 65,535 workgroups); each
// takes the max of VALUES_PER_THREAD values in a register (strided by the invocation count), then
// issues one global atomicMax. No workgroup atomics or barriers: software GPUs run those an order of
// magnitude slower (Chromium on SwiftShader, 224x224: 35 ms with a workgroup-atomic version; see
// attribution-stats.wgsl, which reduces the same way).
// Numerics: exact (no arithmetic on the values); tolerance 0.

override WORKGROUP_SIZE: u32;
override VALUES_PER_THREAD: u32;

struct Params {
  count: u32,
  sign: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> values: array<f32>;
@group(0) @binding(2) var<storage, read_write> result: array<atomic<u32>>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let t = linearIndex(wid, lid, nwg, WORKGROUP_SIZE);
  let threads = (params.count + VALUES_PER_THREAD - 1u) / VALUES_PER_THREAD;
  if (t >= threads) {
    return;
  }
  var m = 0u;
  for (var i = t; i < params.count; i += threads) {
    let s = signedMagnitude(values[i], params.sign);
    if (s > 0.0) {
      m = max(m, bitcast<u32>(s));
    }
  }
  if (m != 0u) {
    atomicMax(&result[0], m);
  }
}
