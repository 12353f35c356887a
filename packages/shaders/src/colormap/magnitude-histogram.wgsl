// magnitude-histogram.wgsl
//
// Histogram of signed magnitudes (sign.wgsl) over [0, max]: bins[b] counts elements with
// magnitudeBin(s, binScale, bins) == b, where binScale = f32(bins / max) is computed once on the CPU
// (histogramScale in percentile.ts). Second pass of the percentile clip: the CPU then finds the
// percentile by a cumulative search over the bins (percentileFromHistogram), so GPU and CPU agree
// exactly for the same bin count. Default 2048 bins: the clip value is exact to max / 2048.
//
// Dispatch: 1-D, one invocation per element, ceil(count / WORKGROUP_SIZE) workgroups folded past
// 65,535; atomicAdd on global u32 bins (the caller zeroes them first).
// Numerics: the bin index is floor of one correctly rounded f32 multiply, reproduced bit for bit by
// the CPU reference (Math.fround); counts are exact integers; tolerance 0.

override WORKGROUP_SIZE: u32;

struct Params {
  count: u32,
  sign: u32,
  bins: u32,
  binScale: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> values: array<f32>;
@group(0) @binding(2) var<storage, read_write> histogram: array<atomic<u32>>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = linearIndex(wid, lid, nwg, WORKGROUP_SIZE);
  if (i >= params.count) {
    return;
  }
  let s = signedMagnitude(values[i], params.sign);
  atomicAdd(&histogram[magnitudeBin(s, params.binScale, params.bins)], 1u);
}
