// mask-accumulate.wgsl
//
// Weighted sum of a batch of per-pixel masks, accumulated in place:
//   acc[p] += sum_b weights[b] * m(b, p),   m = masks[b * pixels + p]   (INVERT = 0)
//                                           m = 1 - masks[b * pixels + p] (INVERT = 1)
// RISE's saliency is sum_i f(x . M_i) M_i / (N p) (Petsiuk et al. 2018, eq. 6); occlusion's
// attribution is sum_k (f(x) - f(x_k)) [p in window k] / #windows covering p (Captum `Occlusion`),
// where [p in window k] = 1 - keep-mask. Called once per batch, so the sum runs over all samples.
//
// Dispatch: 1-D, one invocation per pixel (loads of one b are coalesced across p),
// ceil(pixels / WORKGROUP_SIZE) workgroups folded past 65,535.
// Numerics: sequential f32 sum over the batch, |error| <= count * u * (|acc| + sum_b |w_b m|)
// (u = 2^-24); the tolerance covers batches up to 64 with |w| <= 1 and masks in [0, 1].

override WORKGROUP_SIZE: u32;
override INVERT: u32 = 0u;

struct Params {
  count: u32,
  pixels: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> weights: array<f32>;
@group(0) @binding(2) var<storage, read> masks: array<f32>;
@group(0) @binding(3) var<storage, read_write> acc: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let p = linearIndex(wid, lid, nwg, WORKGROUP_SIZE);
  if (p >= params.pixels) {
    return;
  }
  var sum = acc[p];
  for (var b = 0u; b < params.count; b++) {
    var m = masks[b * params.pixels + p];
    if (INVERT == 1u) {
      m = 1.0 - m;
    }
    sum += weights[b] * m;
  }
  acc[p] = sum;
}
