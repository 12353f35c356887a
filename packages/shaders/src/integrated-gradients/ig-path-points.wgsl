// ig-path-points.wgsl
//
// Integrated Gradients (Sundararajan et al. 2017, eq. 3), path generation: writes one batch of
// points of straight-line paths straight into the buffer of the tensor the model consumes:
//   points[p, e] = b + alpha_t * (input[image_t, e] - b),  b = baselines[row_t, e],  t = firstPoint + p
// where image_t = t / pointsPerImage and (alpha_t, row_t) come from the packed path plan. The plan
// holds every image's points (any quadrature rule, random alphas, one baseline per point), so one
// pipeline serves IG, expected gradients and several images per batch.
//
// Dispatch: 1-D, one invocation per output value, ceil(pointCount * elementCount / WORKGROUP_SIZE)
// workgroups folded past 65,535 (prelude's linearIndex).
// Numerics: a subtract, a multiply and an add in f32 (each rounded): |gpu - f64| <= 3 u (|x| + |b|)
// per value; the descriptor's tolerance assumes |x|, |b| <= 4.

override WORKGROUP_SIZE: u32;

struct Params {
  elementCount: u32,   // h * w * c of one image
  pointCount: u32,     // points in this batch
  firstPoint: u32,     // plan index of the batch's first point
  pointsPerImage: u32, // points of one image's path(s)
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> input: array<f32>;
@group(0) @binding(2) var<storage, read> baselines: array<f32>;
@group(0) @binding(3) var<storage, read> plan: array<PathPoint>;
@group(0) @binding(4) var<storage, read_write> points: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = linearIndex(wid, lid, nwg, WORKGROUP_SIZE);
  if (i >= params.pointCount * params.elementCount) {
    return;
  }
  let p = i / params.elementCount;
  let e = i - p * params.elementCount;
  let t = params.firstPoint + p;
  let image = t / params.pointsPerImage;
  let point = plan[t];
  let b = baselines[point.baselineRow * params.elementCount + e];
  points[i] = b + point.alpha * (input[image * params.elementCount + e] - b);
}
