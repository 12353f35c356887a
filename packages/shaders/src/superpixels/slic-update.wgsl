// slic-update.wgsl
//
// Second half of the SLIC update step (Achanta et al. 2012): cluster k = (ky, kx) adds the 9
// partial sums that slic-accumulate wrote for it (cells (ky +- 1, kx +- 1), each in the slot
// where that cell sees k) and moves its centre to the rounded mean ((sum + n / 2) / n) position
// and colour; a cluster with no pixels keeps its centre. Positions are summed relative to the
// origin of k's 3 x 3-cell region and shifted back. Centres: u32 [clusters, 5] = (y, x, L, a, b).
//
// Dispatch: 1-D, one invocation per cluster, folded past 65,535 workgroups. Numerics: exact
// (integer sums and divisions).

override WORKGROUP_SIZE: u32;

struct Params {
  height: u32,
  width: u32,
  gridH: u32,
  gridW: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> partials: array<u32>;
@group(0) @binding(2) var<storage, read_write> centers: array<u32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let k = linearIndex(wid, lid, nwg, WORKGROUP_SIZE);
  if (k >= params.gridH * params.gridW) {
    return;
  }
  let ky = k / params.gridW;
  let kx = k - ky * params.gridW;
  var sums = array<u32, 6>(0u, 0u, 0u, 0u, 0u, 0u);
  for (var cy = max(ky, 1u) - 1u; cy <= min(ky + 1u, params.gridH - 1u); cy++) {
    for (var cx = max(kx, 1u) - 1u; cx <= min(kx + 1u, params.gridW - 1u); cx++) {
      let slot = ((ky + 1u - cy) * 3u + (kx + 1u - cx)) * 6u;
      let base = (cy * params.gridW + cx) * 54u + slot;
      for (var f = 0u; f < 6u; f++) {
        sums[f] += partials[base + f];
      }
    }
  }
  let n = sums[0];
  if (n == 0u) {
    return;
  }
  let half = n / 2u;
  let oy = cellStart(max(ky, 1u) - 1u, params.height, params.gridH);
  let ox = cellStart(max(kx, 1u) - 1u, params.width, params.gridW);
  centers[k * 5u] = oy + (sums[1] + half) / n;
  centers[k * 5u + 1u] = ox + (sums[2] + half) / n;
  centers[k * 5u + 2u] = (sums[3] + half) / n;
  centers[k * 5u + 3u] = (sums[4] + half) / n;
  centers[k * 5u + 4u] = (sums[5] + half) / n;
}
