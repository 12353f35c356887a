// smoothgrad-accumulate.wgsl
//
// SmoothGrad / SmoothGrad^2 / VarGrad (Smilkov et al. 2017; Adebayo et al. 2018; Captum
// NoiseTunnel): folds one batch of per-sample gradients into running means, with the wrapped
// method's per-sample attribution a computed on the fly:
//   INNER 0: a = g (gradient, or a ready-made attribution such as IG's)   1: a = |g| (saliency)
//   INNER 2: a = point * g (gradient x input on the noisy sample)
//   VARIANT 0 (mean): moment1 += a / samples     1 (squared): moment1 += a^2 / samples
//   VARIANT 2 (variance): moment1 += a / samples, moment2 += a^2 / samples  (VarGrad = moment2 - moment1^2)
// Samples are sample-major (point t belongs to image t % imageCount).
//
// Dispatch: 1-D, one invocation per value of every image (imageCount * elementCount, folded);
// each loops over its image's samples in the batch (t = image, image + imageCount, ...), in order.
// Numerics: per batch a sum of k terms in f32, scaled once: (k + 2) u * sum |terms|.

override WORKGROUP_SIZE: u32;
override INNER: u32 = 0u;
override VARIANT: u32 = 0u;

struct Params {
  elementCount: u32,
  pointCount: u32,
  firstPoint: u32,
  imageCount: u32,
  invSamples: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> points: array<f32>;
@group(0) @binding(2) var<storage, read> gradients: array<f32>;
@group(0) @binding(3) var<storage, read_write> moment1: array<f32>;
@group(0) @binding(4) var<storage, read_write> moment2: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let n = params.elementCount;
  let i = linearIndex(wid, lid, nwg, WORKGROUP_SIZE);
  if (i >= params.imageCount * n) {
    return;
  }
  let image = i / n;
  let e = i - image * n;
  // First point of this image at or after firstPoint.
  var t = params.firstPoint + (image + params.imageCount - params.firstPoint % params.imageCount) % params.imageCount;
  let last = params.firstPoint + params.pointCount;
  var sum = 0.0;
  var sumSquares = 0.0;
  for (; t < last; t += params.imageCount) {
    let k = (t - params.firstPoint) * n + e;
    var a = gradients[k];
    if (INNER == 1u) {
      a = abs(a);
    } else if (INNER == 2u) {
      a = points[k] * a;
    }
    if (VARIANT == 1u) {
      sum += a * a;
    } else {
      sum += a;
      sumSquares += a * a;
    }
  }
  moment1[i] += sum * params.invSamples;
  if (VARIANT == 2u) {
    moment2[i] += sumSquares * params.invSamples;
  }
}
