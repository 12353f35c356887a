// slic-update.wgsl
//
// SLIC's update step (Achanta et al. 2012) from slic-assign-sum's column sums: cluster k = (ky, kx)
// adds, over the columns of the 3 x 3 cells around it, the sums each column kept in the slot where
// its cell sees k, and moves its centre to the rounded mean ((sum + n / 2) / n) position and colour;
// a cluster with no pixels keeps its centre. A column stores its y sum relative to its cell's first
// row and no x sum (x is the column's); both are rebuilt here relative to the origin of k's 3 x 3-cell
// region (oy, ox), so every sum stays below 9 S^2 * max(3 S + 3, 511) < 2^32 (S = cell side,
// host-checked), and shifted back. Centres: u32 [clusters, 5] = (y, x, L, a, b).
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
@group(0) @binding(1) var<storage, read> sums: array<u32>;
@group(0) @binding(2) var<storage, read_write> centers: array<u32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let k = linearIndex(wid, lid, nwg, WORKGROUP_SIZE);
  if (k >= params.gridH * params.gridW) {
    return;
  }
  let ky = k / params.gridW;
  let kx = k - ky * params.gridW;
  let oy = cellStart(max(ky, 1u) - 1u, params.height, params.gridH);
  let ox = cellStart(max(kx, 1u) - 1u, params.width, params.gridW);
  var n = 0u;
  var total = vec4u(0u); // (y, x, L, a) relative to (oy, ox); b in totalB
  var totalB = 0u;
  for (var cy = max(ky, 1u) - 1u; cy <= min(ky + 1u, params.gridH - 1u); cy++) {
    let rowShift = cellStart(cy, params.height, params.gridH) - oy;
    for (var cx = max(kx, 1u) - 1u; cx <= min(kx + 1u, params.gridW - 1u); cx++) {
      let slot = (ky + 1u - cy) * 3u + (kx + 1u - cx);
      for (var x = cellStart(cx, params.width, params.gridW); x < cellStart(cx + 1u, params.width, params.gridW); x++) {
        let base = ((cy * params.width + x) * 9u + slot) * 5u;
        let count = sums[base];
        n += count;
        total += vec4u(sums[base + 1u] + count * rowShift, count * (x - ox), sums[base + 2u], sums[base + 3u]);
        totalB += sums[base + 4u];
      }
    }
  }
  if (n == 0u) {
    return;
  }
  let half = n / 2u;
  centers[k * 5u] = oy + (total.x + half) / n;
  centers[k * 5u + 1u] = ox + (total.y + half) / n;
  centers[k * 5u + 2u] = (total.z + half) / n;
  centers[k * 5u + 3u] = (total.w + half) / n;
  centers[k * 5u + 4u] = (totalB + half) / n;
}
