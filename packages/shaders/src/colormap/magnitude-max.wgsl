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
// Dispatch: 1-D, one invocation per element, ceil(count / WORKGROUP_SIZE) workgroups folded past
// 65,535. Each workgroup reduces into workgroup memory first, then issues one global atomicMax.
// Numerics: exact (no arithmetic on the values); tolerance 0.

override WORKGROUP_SIZE: u32;

struct Params {
  count: u32,
  sign: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> values: array<f32>;
@group(0) @binding(2) var<storage, read_write> result: array<atomic<u32>>;

var<workgroup> localMax: atomic<u32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = linearIndex(wid, lid, nwg, WORKGROUP_SIZE);
  if (lid.x == 0u) {
    atomicStore(&localMax, 0u);
  }
  workgroupBarrier();
  if (i < params.count) {
    let s = signedMagnitude(values[i], params.sign);
    if (s > 0.0) {
      atomicMax(&localMax, bitcast<u32>(s));
    }
  }
  workgroupBarrier();
  if (lid.x == 0u) {
    let m = atomicLoad(&localMax);
    if (m != 0u) {
      atomicMax(&result[0], m);
    }
  }
}
