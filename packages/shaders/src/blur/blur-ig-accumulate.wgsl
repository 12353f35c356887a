// blur-ig-accumulate.wgsl
//
// Blur IG (Xu et al. 2020; PAIR-code/saliency BlurIG), accumulation: the path runs from the
// blurred image (sigma = max) to the image (sigma = 0); each point contributes its gradient
// times the path's velocity, estimated as PAIR does by a forward difference in sigma:
//   attribution[image, e] += sum_t weight_t * (ahead[p, e] - points[p, e]) / gradStep * grad[p, e]
// with points = blur(x, sigma_t), ahead = blur(x, sigma_t + gradStep), weight_t = -(sigma_{t+1} - sigma_t)
// (PAIR's final * -1 folded in), t = firstPoint + p, image = t / pointsPerImage.
// The batch holding an image's first point starts its attribution from 0, whatever the buffer held
// (0 + sum, as a zero fill and the add would: no fill pass; sum starts at +0, so no -0 to lose).
//
// Dispatch: 1-D, one invocation per value of the images the batch touches (folded); each loops
// over its image's points in the batch, in order.
// Numerics: k terms of 4 roundings each, summed in f32: (k + 4) u * sum |terms|.

override WORKGROUP_SIZE: u32;

struct Params {
  elementCount: u32,
  pointCount: u32,
  firstPoint: u32,
  pointsPerImage: u32,
  invGradStep: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> weights: array<f32>;
@group(0) @binding(2) var<storage, read> points: array<f32>;
@group(0) @binding(3) var<storage, read> ahead: array<f32>;
@group(0) @binding(4) var<storage, read> gradients: array<f32>;
@group(0) @binding(5) var<storage, read_write> attribution: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let n = params.elementCount;
  let images = batchImages(params.firstPoint, params.pointCount, params.pointsPerImage);
  let i = linearIndex(wid, lid, nwg, WORKGROUP_SIZE);
  if (i >= images.y * n) {
    return;
  }
  let image = images.x + i / n;
  let e = i % n;
  let span = batchPointsOf(image, params.firstPoint, params.pointCount, params.pointsPerImage);
  var sum = 0.0;
  for (var t = span.x; t < span.y; t++) {
    let k = (t - params.firstPoint) * n + e;
    sum += weights[t] * ((ahead[k] - points[k]) * params.invGradStep) * gradients[k];
  }
  let first = span.x == image * params.pointsPerImage;
  attribution[image * n + e] = select(attribution[image * n + e], 0.0, first) + sum;
}
