// hermitian-split.wgsl
//
// The adjoint of hermitian-extend followed by the inverse row FFT's real / imaginary split: from
// Z_k = DFT(g_2k + i g_2k+1) (the forward DFT of two real rows packed as one complex sequence,
// `pairs` [ceil(rows / 2), 2, w], [re | im] per pair) it recovers each row's own half spectrum,
//   G_2k[v] = (Z[v] + conj(Z[-v])) / 2,   G_2k+1[v] = (Z[v] - conj(Z[-v])) / (2 i)   (indices mod w),
// and applies the extension's adjoint, c_v G[v] with c_v = 1 for the DC and (even w) Nyquist
// columns and 2 otherwise (each other column appears twice in the full spectrum, once conjugated).
// Output `half` [rows, 2 W] ([re | im], W = floor(w / 2) + 1); a missing last row is not written.
//
// Dispatch: one invocation per (pair, v < W), 1-D folded. A sum and a halving per value.

override WORKGROUP_SIZE: u32;

struct Params {
  rows: u32,
  width: u32,
  half: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> pairs: array<f32>;
@group(0) @binding(2) var<storage, read_write> halfSpectra: array<f32>;

fn store(r: u32, v: u32, value: vec2f) {
  if (r < params.rows) {
    let at = r * 2u * params.half + v;
    halfSpectra[at] = value.x;
    halfSpectra[at + params.half] = value.y;
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let t = linearIndex(wid, lid, nwg, WORKGROUP_SIZE);
  let w = params.width;
  let pairCount = (params.rows + 1u) / 2u;
  if (t >= pairCount * params.half) {
    return;
  }
  let k = t / params.half;
  let v = t % params.half;
  let mirror = (w - v) % w;
  let z = vec2f(pairs[k * 2u * w + v], pairs[k * 2u * w + w + v]);
  let zm = vec2f(pairs[k * 2u * w + mirror], -pairs[k * 2u * w + w + mirror]); // conj(Z[-v])
  let weight = select(1.0, 2.0, v != 0u && 2u * v != w);
  let sum = z + zm;
  let difference = z - zm;
  store(2u * k, v, 0.5 * weight * sum);
  store(2u * k + 1u, v, 0.5 * weight * vec2f(difference.y, -difference.x));
}
