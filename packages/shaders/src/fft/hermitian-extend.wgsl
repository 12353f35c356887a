// hermitian-extend.wgsl
//
// Half spectra -> full Hermitian spectra, two real rows per complex sequence: the input of the
// inverse real DFT's last (row) FFT. Row r of `half` [rows, 2 W] ([re | im], W = floor(w / 2) + 1)
// is extended to length w by S_r[x] = H_r[x] (x < W), conj(H_r[w - x]) (x >= W), with the
// imaginary parts of the DC and (even w) Nyquist terms dropped, so the inverse DFT of S_r is real
// and equals Re of the inverse DFT of the half-spectrum sum (what the parametrisation defines).
// Rows 2k and 2k + 1 then share one complex sequence, z_k = S_2k + i S_2k+1 (a missing last row is
// 0), written to `pairs` [ceil(rows / 2), 2, w] ([re | im] per pair): after the inverse FFT, the
// real part is row 2k's plane and the imaginary part row 2k + 1's (both inverses are real).
//
// Dispatch: one invocation per (pair, x), 1-D folded. One f32 sum per value (a + i b).

override WORKGROUP_SIZE: u32;

struct Params {
  rows: u32,
  width: u32,
  half: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> halfSpectra: array<f32>;
@group(0) @binding(2) var<storage, read_write> pairs: array<f32>;

fn extended(r: u32, x: u32) -> vec2f {
  if (r >= params.rows) {
    return vec2f(0.0);
  }
  let mirrored = x >= params.half;
  let v = select(x, params.width - x, mirrored);
  let at = r * 2u * params.half + v;
  var value = vec2f(halfSpectra[at], halfSpectra[at + params.half]);
  if (v == 0u || 2u * v == params.width) {
    value.y = 0.0;
  }
  if (mirrored) {
    value.y = -value.y;
  }
  return value;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let t = linearIndex(wid, lid, nwg, WORKGROUP_SIZE);
  let w = params.width;
  let pairCount = (params.rows + 1u) / 2u;
  if (t >= pairCount * w) {
    return;
  }
  let k = t / w;
  let x = t % w;
  let a = extended(2u * k, x);
  let b = extended(2u * k + 1u, x);
  pairs[k * 2u * w + x] = a.x - b.y;
  pairs[k * 2u * w + w + x] = a.y + b.x;
}
