// adam-ascend-quads.wgsl
//
// adam-ascend.wgsl's step (adamUpdate, adam-update.wgsl) for parameters 0 .. 4 floor(count / 4) - 1,
// four per invocation through vec4 views of the same buffers: a quarter of the loads and stores,
// which on lavapipe (a bounds-checked gather per lane and load) took the step to ~0.5x of one
// parameter per invocation (204,800 parameters, session 13). adam-ascend.wgsl updates the last
// count % 4 (recordAdamStep records both).
//
// Dispatch: 1-D, one invocation per quad, folded past 65,535 workgroups. The buffers hold at least
// floor(count / 4) quads (a vec4 binding reads floor(size / 16) of them). Tolerance: adam-ascend.kernel.ts.

override WORKGROUP_SIZE: u32;

// Params and adamUpdate: adam-update.wgsl (include).

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<vec4f>;
@group(0) @binding(2) var<storage, read> gradient: array<vec4f>;
@group(0) @binding(3) var<storage, read> m: array<vec4f>;
@group(0) @binding(4) var<storage, read> v: array<vec4f>;
@group(0) @binding(5) var<storage, read_write> xNext: array<vec4f>;
@group(0) @binding(6) var<storage, read_write> mNext: array<vec4f>;
@group(0) @binding(7) var<storage, read_write> vNext: array<vec4f>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let q = linearIndex(wid, lid, nwg, WORKGROUP_SIZE);
  if (q >= params.count / 4u) {
    return;
  }
  let next = adamUpdate(x[q], gradient[q], m[q], v[q]);
  xNext[q] = next.x;
  mNext[q] = next.m;
  vNext[q] = next.v;
}
