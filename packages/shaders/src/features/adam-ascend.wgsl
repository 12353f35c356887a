// adam-ascend.wgsl
//
// One Adam step (Kingma & Ba 2015) for gradient ascent, parameters params.first .. count - 1, one
// per invocation (adamUpdate, adam-update.wgsl):
//   m' = beta1 m + (1 - beta1) g,   v' = beta2 v + (1 - beta2) g^2,   x' = x + rate m' / (sqrt(v') + epsilon)
// with the bias corrections folded into `rate` = learningRate sqrt(1 - beta2^t) / (1 - beta1^t)
// by the caller (f64, once per step). Feature visualisation's optimiser: recordAdamStep runs
// adam-ascend-quads.wgsl over whole quads of parameters (half the time on lavapipe) and this
// kernel over the last count % 4 (first = count - count % 4); the tfjs form takes a dozen
// elementwise programs.
//
// Dispatch: 1-D, one invocation per parameter from `first`, folded past 65,535 workgroups. Outputs
// are new buffers (no binding aliases another). A few f32 operations per value: tolerance
// adam-ascend.kernel.ts.

override WORKGROUP_SIZE: u32;

// Params and adamUpdate: adam-update.wgsl (include).

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
  let i = params.first + linearIndex(wid, lid, nwg, WORKGROUP_SIZE);
  if (i >= params.count) {
    return;
  }
  let next = adamUpdate(vec4f(x[i]), vec4f(gradient[i]), vec4f(m[i]), vec4f(v[i]));
  xNext[i] = next.x.x;
  mNext[i] = next.m.x;
  vNext[i] = next.v.x;
}
