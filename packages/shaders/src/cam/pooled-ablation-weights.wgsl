// pooled-ablation-weights.wgsl
//
// Ablation-CAM's channel weights (Desai & Ramaswamy, WACV 2020, as jacobgil/pytorch-grad-cam's
// ablation_cam.py) for a tail that is exactly global average pooling + a linear Dense layer, per
// image n with target class t = targets[n]:
//   p[c]       = (sum over positions of act[n, p, c]) / positions        (the pooled activation)
//   low        = min over positions and channels of act[n]
//   v          = 0 if low == 0 (ReLU outputs), else low - 1e7            (pytorch-grad-cam's AblationLayer)
//   z          = sum over c of p[c] * kernel[c, t]  (+ bias[t] when HAS_BIAS)
//   ablated[c] = z + (v - p[c]) * kernel[c, t]   (the score with channel c set to v everywhere:
//                only the pooled entry c changes, from p[c] to v)
//   weights[n, c] = (scores[n, t] - ablated[c]) / scores[n, t]
// scores are the model's own (unablated) scores; act is NHWC ([n][p][c], c fastest), kernel is
// [channels, classes], targets int32.
//
// Why one kernel: as tfjs ops this took ~17 small dispatches per image (Mean, Min, Equal, Select,
// slices, a matmul, adds, the division), each ~0.05-0.2 ms on SwiftShader, plus their JavaScript.
//
// Dispatch: one workgroup per image (linearWorkgroup). Phase 1: invocations stride over the
// channels, sum each channel's positions in order (as tfjs's AvgPool: the sum, then divided by the
// count), write p[c] to weights[n, c] and fold the minimum; min-max-tree.wgsl gives the image's
// minimum. storageBarrier() makes every p visible; then each invocation sums z in channel order (as
// the Dense layer's matmul does; cheaper than a second tree) and rewrites its own channels' p as the
// weight.
// Numerics: sequential f32 sums over the positions and the channels; the weight divides a difference
// of two near-equal scores by the score, so its error is relative to the score: tolerance
// (pooled-ablation-weights.kernel.ts) for scores of size O(1).

override WORKGROUP_SIZE: u32;
// Whether the Dense layer has a bias (the bias binding is read).
override HAS_BIAS: bool = false;

struct Params {
  images: u32,
  positions: u32,
  channels: u32,
  classes: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> act: array<f32>;
@group(0) @binding(2) var<storage, read> kernel: array<f32>;
// Read only when HAS_BIAS (bind any storage buffer otherwise).
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read> scores: array<f32>;
@group(0) @binding(5) var<storage, read> targets: array<i32>;
@group(0) @binding(6) var<storage, read_write> weights: array<f32>;

const ABLATION_OFFSET: f32 = 1e7;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let n = linearWorkgroup(wid, nwg);
  // n is uniform across the workgroup, so this early return keeps barriers in uniform control flow.
  if (n >= params.images) {
    return;
  }
  let K = params.channels;
  let P = params.positions;
  let C = params.classes;
  let t = u32(targets[n]);
  let first = n * K;
  var low = F32_MAX;
  for (var c = lid.x; c < K; c += WORKGROUP_SIZE) {
    var sum = 0.0;
    for (var p = 0u; p < P; p++) {
      let a = act[(n * P + p) * K + c];
      sum += a;
      low = min(low, a);
    }
    weights[first + c] = sum / f32(P);
  }
  let minimum = workgroupMinMax(lid.x, low, low).x;
  storageBarrier();
  var z = 0.0;
  for (var c = 0u; c < K; c++) {
    z += weights[first + c] * kernel[c * C + t];
  }
  if (HAS_BIAS) {
    z += bias[t];
  }
  let value = select(minimum - ABLATION_OFFSET, 0.0, minimum == 0.0);
  let original = scores[n * C + t];
  // Every invocation has read all of p before any is overwritten.
  storageBarrier();
  for (var c = lid.x; c < K; c += WORKGROUP_SIZE) {
    let ablated = z + (value - weights[first + c]) * kernel[c * C + t];
    weights[first + c] = (original - ablated) / original;
  }
}
