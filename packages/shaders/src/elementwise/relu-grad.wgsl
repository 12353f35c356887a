// relu-grad.wgsl
//
// The gradient of ReLU, in one pass, as tfjs 4.22 computes it in two (mul(dy, step(x))):
//
//   dx = dy * step(x),  step(x) = x where x is NaN (its bits), else 1 where x > 0, else 0
//
// So dx is dy where x > 0, dy * 0 (0 or -0; NaN for an infinite or NaN dy) where x <= 0, and NaN
// where x is NaN: the same bits as tfjs's Step then Multiply (tfjs-webgpu's STEP returns a NaN x
// itself; its MUL is a plain a * b with dy first).
//
// Dispatch: 1-D, one invocation per 4 elements (dy, x and dx bound as vec4s: the element count must be
// a multiple of 4; reluGradInvocations), ceil(count / WORKGROUP_SIZE) workgroups folded past 65,535.
// Numerics: one f32 product per element: exact.

override WORKGROUP_SIZE: u32;

struct Params {
  // Quads (4 elements each).
  count: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> dy: array<vec4f>;
@group(0) @binding(2) var<storage, read> x: array<vec4f>;
@group(0) @binding(3) var<storage, read_write> dx: array<vec4f>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = linearIndex(wid, lid, nwg, WORKGROUP_SIZE);
  if (i >= params.count) {
    return;
  }
  let v = x[i];
  let step = select(select(vec4f(0.0), vec4f(1.0), v > vec4f(0.0)), v, isNan4(v));
  dx[i] = dy[i] * step;
}
