// noise-points.wgsl
//
// SmoothGrad (Smilkov et al. 2017), noisy samples: turns a buffer of standard normal values
// (random-fill.wgsl, written straight into the batch tensor's buffer) into noisy copies of the
// input, in place:
//   points[p, e] = input[image, e] + noiseLevel * (max[image] - min[image]) * points[p, e]
// with t = firstPoint + p and image = t % imageCount (samples are sample-major: all images' first
// sample, then their second, ...), so one sample of every image is a contiguous range.
// sigma = noiseLevel * (max - min) of each image is PAIR's stdev_spread * (max(x) - min(x)).
//
// Dispatch: 1-D, one invocation per value of the batch (pointCount * elementCount, folded).
// Numerics: sigma rounded once, then one multiply and one add: |gpu - f64| <= 3 u (|x| + |sigma z|).

override WORKGROUP_SIZE: u32;

struct Params {
  elementCount: u32,
  pointCount: u32,
  firstPoint: u32,
  imageCount: u32,
  noiseLevel: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> input: array<f32>;
@group(0) @binding(2) var<storage, read> minima: array<f32>;
@group(0) @binding(3) var<storage, read> maxima: array<f32>;
@group(0) @binding(4) var<storage, read_write> points: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = linearIndex(wid, lid, nwg, WORKGROUP_SIZE);
  if (i >= params.pointCount * params.elementCount) {
    return;
  }
  let p = i / params.elementCount;
  let e = i - p * params.elementCount;
  let image = (params.firstPoint + p) % params.imageCount;
  let sigma = params.noiseLevel * (maxima[image] - minima[image]);
  points[i] = input[image * params.elementCount + e] + sigma * points[i];
}
