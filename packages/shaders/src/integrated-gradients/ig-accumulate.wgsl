// ig-accumulate.wgsl
//
// Integrated Gradients (Sundararajan et al. 2017, eq. 3), accumulation: folds one batch of path
// gradients into the attribution, with the quadrature rule's weight and the (x - baseline) factor
// fused into the same pass:
//   attribution[image, e] += sum_{t in batch, image_t = image} w_t * (input[image, e] - b_t[e]) * grad[t - firstPoint, e]
// Per-point baselines make this expected gradients too (GradientSHAP: E[(x - b) * grad]); for a
// single baseline it equals the usual (x - b) * sum_t w_t grad_t up to rounding.
//
// Dispatch: 1-D, one invocation per value of the images the batch touches (imageCount *
// elementCount, folded); each invocation loops over its image's points in the batch, in plan
// order, so there is no cross-invocation reduction and the CPU reference sums in the same order.
// Numerics: k products and k f32 additions: |gpu - f64| <= (k + 3) u * sum |terms|; the
// descriptor's tolerance assumes sum |terms| <= 2 and k <= 64.

override WORKGROUP_SIZE: u32;

struct Params {
  elementCount: u32,
  pointCount: u32,
  firstPoint: u32,
  pointsPerImage: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> input: array<f32>;
@group(0) @binding(2) var<storage, read> baselines: array<f32>;
@group(0) @binding(3) var<storage, read> plan: array<PathPoint>;
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
  let x = input[image * n + e];
  let span = batchPointsOf(image, params.firstPoint, params.pointCount, params.pointsPerImage);
  var sum = 0.0;
  for (var t = span.x; t < span.y; t++) {
    let point = plan[t];
    let b = baselines[point.baselineRow * n + e];
    sum += point.weight * (x - b) * gradients[(t - params.firstPoint) * n + e];
  }
  attribution[image * n + e] += sum;
}
