// adam-ascend-premix.wgsl
//
// adam-ascend-quads.wgsl's step (adamUpdate, adam-update.wgsl) for the Fourier parametrisation's
// variables [images * 3, h, 2 W], the three colour planes of one image per invocation, which then
// also writes the next step's premixed spectrum over the gradient it has read:
//   gradient[plane 3 n + j] <- (M[0, j] x'_0 + M[1, j] x'_1 + M[2, j] x'_2) * scale
// (x'_i: plane 3 n + i's new variables, M the colour mix, scale the 1/f scale [h, 2 W]): what the
// column FFT's colour-mix load (fft-io.wgsl's mixedAt, then scaledOnLoad) computes from the new
// variables, in the same order of the same f32 operations, so that FFT's first stage becomes a
// plain load (3 planes and a scale per element on SwiftShader and lavapipe, session 17 idea).
// Each invocation reads its quads of the gradient before it writes them; no other touches them.
//
// Dispatch: 1-D, one invocation per image and quad of a plane (QUADS = premix.quads = h 2 W / 4 per
// plane, whole: the caller checks), folded past 65,535 workgroups. QUADS is a pipeline constant so
// that the division and offsets by it compile to constant arithmetic (the uniform's copy bounds the
// grid). Tolerance: adam-ascend-premix.kernel.ts.

override WORKGROUP_SIZE: u32;
override QUADS: u32 = 1u;

// Params and adamUpdate: adam-update.wgsl (include).

struct Premix {
  images: u32,
  quads: u32,
  factor: f32, // the Fourier uniforms' field order (FOURIER_MIX_FIELDS); unused here
  m0: f32,
  m1: f32,
  m2: f32,
  m3: f32,
  m4: f32,
  m5: f32,
  m6: f32,
  m7: f32,
  m8: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<vec4f>;
@group(0) @binding(2) var<storage, read_write> gradient: array<vec4f>;
@group(0) @binding(3) var<storage, read> m: array<vec4f>;
@group(0) @binding(4) var<storage, read> v: array<vec4f>;
@group(0) @binding(5) var<storage, read_write> xNext: array<vec4f>;
@group(0) @binding(6) var<storage, read_write> mNext: array<vec4f>;
@group(0) @binding(7) var<storage, read_write> vNext: array<vec4f>;
@group(0) @binding(8) var<uniform> premix: Premix;
@group(0) @binding(9) var<storage, read> scale: array<vec4f>;

// Adam's step for quad q; returns the new variables.
fn step(q: u32) -> vec4f {
  let next = adamUpdate(x[q], gradient[q], m[q], v[q]);
  xNext[q] = next.x;
  mNext[q] = next.m;
  vNext[q] = next.v;
  return next.x;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let t = linearIndex(wid, lid, nwg, WORKGROUP_SIZE);
  if (t >= premix.images * premix.quads) {
    return;
  }
  let n = t / QUADS;
  let q = t - n * QUADS;
  let first = 3u * n * QUADS + q;
  let x0 = step(first);
  let x1 = step(first + QUADS);
  let x2 = step(first + 2u * QUADS);
  let s = scale[q];
  // Plane j's mix column (M[0, j], M[1, j], M[2, j]) = (m_j, m_3+j, m_6+j), summed as mixedAt sums it.
  gradient[first] = (premix.m0 * x0 + premix.m3 * x1 + premix.m6 * x2) * s;
  gradient[first + QUADS] = (premix.m1 * x0 + premix.m4 * x1 + premix.m7 * x2) * s;
  gradient[first + 2u * QUADS] = (premix.m2 * x0 + premix.m5 * x1 + premix.m8 * x2) * s;
}
