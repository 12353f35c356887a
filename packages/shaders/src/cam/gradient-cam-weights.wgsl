// gradient-cam-weights.wgsl
//
// The channel weights of the gradient CAMs that sum over the positions a product of activation and
// gradient, one kernel with the method as a pipeline constant (XGRAD_CAM):
//   S[n, k] = sum_p act[n, p, k]
// Grad-CAM++ (Chattopadhyay et al., "Grad-CAM++", WACV 2018, eq. 19, in the form of
// jacobgil/pytorch-grad-cam's grad_cam_plusplus.py, which uses powers of the raw gradient g instead
// of exponentials of the score), XGRAD_CAM false:
//   alpha[n,p,k] = g^2 / (2 g^2 + S g^3 + 1e-6)        (0 where g == 0)
//   weights[n,k] = sum_p max(g, 0) * alpha
// XGrad-CAM (Fu et al., "Axiom-based Grad-CAM", BMVC 2020; pytorch-grad-cam's xgrad_cam.py),
// XGRAD_CAM true:
//   weights[n,k] = sum_p g * act / (S + 1e-7)
// One dispatch instead of tfjs's Tile, Multiply, two Sums, Add and Div: on SwiftShader tfjs's
// reductions run with workgroup barriers, and XGrad-CAM of an MNIST digit took 1.5x its gradient
// pass in Chromium (session 29), Grad-CAM's fused weights 0.66x.
// act and grad are NHWC ([n][p][k], k fastest), p < positions = h * w. With GRADIENT_PER_POSITION
// false, grad is [n][k]: one value per channel, the same at every position (a linear GAP + Dense
// tail's closed-form gradient), read with position stride 0: the same values in the same order as
// its broadcast, so the same weights, without the broadcast (a Tile) written first.
//
// Dispatch: one invocation per (n, k), 1-D, ceil(images * channels / WORKGROUP_SIZE) workgroups
// folded past 65,535. Consecutive invocations read consecutive k: coalesced loads.
// Numerics: two sequential f32 sums over the positions and one division (Grad-CAM++: one per
// position). Tolerance (gradient-cam-weights.kernel.ts) abs 1e-5 + rel 1e-4 for positions <= 3136.

override WORKGROUP_SIZE: u32;
// false: grad holds one value per (image, channel), broadcast over the positions (stride 0).
override GRADIENT_PER_POSITION: bool = true;
// true: XGrad-CAM's weights; false: Grad-CAM++'s.
override XGRAD_CAM: bool = false;

struct Params {
  images: u32,
  positions: u32,
  channels: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> act: array<f32>;
@group(0) @binding(2) var<storage, read> grad: array<f32>;
@group(0) @binding(3) var<storage, read_write> weights: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = linearIndex(wid, lid, nwg, WORKGROUP_SIZE);
  let K = params.channels;
  if (i >= params.images * K) {
    return;
  }
  let n = i / K;
  let k = i % K;
  let base = n * params.positions * K + k;
  var total = 0.0;
  for (var p = 0u; p < params.positions; p++) {
    total += act[base + p * K];
  }
  let gradBase = select(n * K + k, base, GRADIENT_PER_POSITION);
  let gradStride = select(0u, K, GRADIENT_PER_POSITION);
  var w = 0.0;
  if (XGRAD_CAM) {
    for (var p = 0u; p < params.positions; p++) {
      w += grad[gradBase + p * gradStride] * act[base + p * K];
    }
    weights[i] = w / (total + 1e-7);
    return;
  }
  for (var p = 0u; p < params.positions; p++) {
    let g = grad[gradBase + p * gradStride];
    if (g != 0.0) {
      let g2 = g * g;
      let alpha = g2 / (2.0 * g2 + total * g2 * g + 1e-6);
      w += max(g, 0.0) * alpha;
    }
  }
  weights[i] = w;
}
