// slic-assign-sum.wgsl
//
// One SLIC iteration's pixel work (Achanta et al., "SLIC Superpixels Compared to State-of-the-Art
// Superpixel Methods", TPAMI 2012), localised as in gSLICr (Ren, Prisacariu, Reid 2015), in one
// pass: the assignment step, and the sums that the next centres need.
//
// Invocation i owns one column of one grid cell: grid row gy = i / width, image column x. It loads
// the centres of the 3 x 3 cells around its cell once ("slots" 0..8, row-major), walks the cell's
// rows, labels each pixel with the nearest of them under
//   D = COLOR_WEIGHT * |lab_p - lab_k|^2 + spatialWeight * min(|yx_p - yx_k|^2, maxSpatial2),
// COLOR_WEIGHT / spatialWeight ~ S^2 / m^2 (S = grid step, m = compactness), which orders candidates
// like SLIC's dc^2 / m^2 + ds^2 / S^2 (ties go to the lowest cluster index, as slots run in index
// order), and adds (1, y - cell's first row, L, a, b) to that slot's sums in registers. It then writes
// sums[i][slot][field] (9 x 5 u32) with plain stores: no atomics and no barriers, which on software
// GPUs (llvmpipe, SwiftShader) cost 15-30x more than the arithmetic. The x sum is not stored: the
// column's x is known, so slic-update adds count * x. INIT = 1 instead labels each pixel with its own
// cell (slot 4): the initial segmentation, whose means give the initial centres.
// Features and centres are integers (quantized Lab, pixel positions), so D is exact u32 arithmetic
// and GPU and CPU agree bit for bit. Centres: u32 [clusters, 5] = (y, x, L, a, b).
// Overflow: COLOR_WEIGHT * 3 * 511^2 + spatialWeight * maxSpatial2 < 2^32 (checked on the host);
// a column's sums are at most (cell rows) * max(cell rows, 511).
//
// Dispatch: 1-D, one invocation per (grid row, image column) = gridH * width, folded past 65,535
// workgroups. Numerics: exact.

override WORKGROUP_SIZE: u32;
override INIT: u32 = 0u;
const COLOR_WEIGHT: u32 = 2048u;

struct Params {
  height: u32,
  width: u32,
  gridH: u32,
  gridW: u32,
  spatialWeight: u32,
  maxSpatial2: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> features: array<u32>;
@group(0) @binding(2) var<storage, read> centers: array<u32>;
@group(0) @binding(3) var<storage, read_write> labels: array<u32>;
@group(0) @binding(4) var<storage, read_write> sums: array<u32>;

fn absDiff(a: u32, b: u32) -> u32 {
  return select(b - a, a - b, a >= b);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = linearIndex(wid, lid, nwg, WORKGROUP_SIZE);
  if (i >= params.gridH * params.width) {
    return;
  }
  let gy = i / params.width;
  let x = i - gy * params.width;
  let gx = (x * params.gridW) / params.width;
  let y0 = cellStart(gy, params.height, params.gridH);
  let y1 = cellStart(gy + 1u, params.height, params.gridH);

  // The 3 x 3 candidate centres; off-grid slots are never chosen.
  var cluster: array<u32, 9>;
  var onGrid: array<bool, 9>;
  var center: array<vec4u, 9>; // (y, L, a, b); a centre's x is in centerX
  var centerX: array<u32, 9>;
  for (var s = 0u; s < 9u; s++) {
    let cy = gy + s / 3u;
    let cx = gx + s % 3u;
    // cy, cx are the candidate's row and column + 1 (so that row -1 stays unsigned).
    onGrid[s] = cy >= 1u && cy <= params.gridH && cx >= 1u && cx <= params.gridW;
    let k = select(0u, (cy - 1u) * params.gridW + (cx - 1u), onGrid[s]);
    cluster[s] = k;
    center[s] = vec4u(centers[k * 5u], centers[k * 5u + 2u], centers[k * 5u + 3u], centers[k * 5u + 4u]);
    centerX[s] = centers[k * 5u + 1u];
  }

  var acc: array<vec4u, 9>; // per slot (count, y - y0, L, a); b in accB
  var accB: array<u32, 9>;
  for (var y = y0; y < y1; y++) {
    let p = y * params.width + x;
    let l = features[p * 3u];
    let a = features[p * 3u + 1u];
    let b = features[p * 3u + 2u];
    var bestSlot = 4u;
    if (INIT == 0u) {
      var best = 0xffffffffu;
      for (var s = 0u; s < 9u; s++) {
        let c = center[s];
        let dy = absDiff(y, c.x);
        let dx = absDiff(x, centerX[s]);
        let dl = absDiff(l, c.y);
        let da = absDiff(a, c.z);
        let db = absDiff(b, c.w);
        // dy, dx < 2^16 (image side <= 8192), so dy*dy + dx*dx < 2^27.
        let spatial = min(dy * dy + dx * dx, params.maxSpatial2);
        let d = COLOR_WEIGHT * (dl * dl + da * da + db * db) + params.spatialWeight * spatial;
        if (onGrid[s] && d < best) {
          best = d;
          bestSlot = s;
        }
      }
    }
    labels[p] = cluster[bestSlot];
    // Every slot adds (constant indices keep acc in registers; a scattered add would not).
    let add = vec4u(1u, y - y0, l, a);
    for (var s = 0u; s < 9u; s++) {
      let hit = s == bestSlot;
      acc[s] += select(vec4u(0u), add, hit);
      accB[s] += select(0u, b, hit);
    }
  }
  for (var s = 0u; s < 9u; s++) {
    let base = (i * 9u + s) * 5u;
    sums[base] = acc[s].x;
    sums[base + 1u] = acc[s].y;
    sums[base + 2u] = acc[s].z;
    sums[base + 3u] = acc[s].w;
    sums[base + 4u] = accB[s];
  }
}
