// adam-ascend.wgsl
//
// One Adam step (Kingma & Ba 2015) for gradient ascent, every parameter in one dispatch (the tfjs
// form takes a dozen elementwise programs):
//   m' = beta1 m + (1 - beta1) g,   v' = beta2 v + (1 - beta2) g^2,   x' = x + rate m' / (sqrt(v') + epsilon)
// with the bias corrections folded into `rate` = learningRate sqrt(1 - beta2^t) / (1 - beta1^t)
// by the caller (f64, once per step). Feature visualisation's optimiser.
//
// Dispatch: 1-D, one invocation per parameter, folded past 65,535 workgroups. Outputs are new
// buffers (no binding aliases another). A few f32 operations per value: tolerance adam-ascend.kernel.ts.

override WORKGROUP_SIZE: u32;

struct Params {
  count: u32,
  beta1: f32,
  beta2: f32,
  epsilon: f32,
  rate: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> gradient: array<f32>;
@group(0) @binding(3) var<storage, read> m: array<f32>;
@group(0) @binding(4) var<storage, read> v: array<f32>;
@group(0) @binding(5) var<storage, read_write> xNext: array<f32>;
@group(0) @binding(6) var<storage, read_write> mNext: array<f32>;
@group(0) @binding(7) var<storage, read_write> vNext: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = linearIndex(wid, lid, nwg, WORKGROUP_SIZE);
  if (i >= params.count) {
    return;
  }
  let g = gradient[i];
  let m1 = params.beta1 * m[i] + (1.0 - params.beta1) * g;
  let v1 = params.beta2 * v[i] + (1.0 - params.beta2) * g * g;
  mNext[i] = m1;
  vNext[i] = v1;
  xNext[i] = x[i] + params.rate * m1 / (sqrt(v1) + params.epsilon);
}
