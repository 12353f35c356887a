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
// order), and adds (1, y - cell's first row, L, a, b) to that slot's sums in registers (count and row
// sum packed in one u32, see COUNT_SHIFT). It then writes sums[i][slot][field] (9 x 5 u32) with plain
// stores: no atomics and no barriers, which on software
// GPUs (llvmpipe, SwiftShader) cost 15-30x more than the arithmetic. The x sum is not stored: the
// column's x is known, so slic-update adds count * x. INIT = 1 instead labels each pixel with its own
// cell (slot 4): the initial segmentation, whose means give the initial centres.
// Features and centres are integers (quantized Lab, pixel positions), so D is exact u32 arithmetic
// and GPU and CPU agree bit for bit. The colour term is evaluated as
//   COLOR_WEIGHT (|f|^2 + |c|^2) - 2 COLOR_WEIGHT dot(f, c)
// in wrapping u32 arithmetic: each term is below 2^32 (2 * 2048 * 3 * 511^2 < 2^32) and D itself is
// (host check below), so the wrapped sum is D exactly; |c|^2 and a column's dx^2 are computed once
// per candidate, |f|^2 once per pixel. (Session 27, lavapipe, 224x224 at 10 segments: ~5-10% less
// time per pass than four absolute differences per candidate, at the edge of the machine's noise.) Centres: u32 [clusters, 5] = (y, x, L, a, b).
// Overflow: COLOR_WEIGHT * 3 * 511^2 + spatialWeight * maxSpatial2 < 2^32 (checked on the host);
// a column's sums are at most (cell rows) * max(cell rows, 511).
//
// Dispatch: 1-D, one invocation per (grid row, image column) = gridH * width, folded past 65,535
// workgroups. Numerics: exact.

override WORKGROUP_SIZE: u32;
override INIT: u32 = 0u;
const COLOR_WEIGHT: u32 = 2048u;
// A column's pixel count and its sum of y - y0 share one u32 (one select and add less per slot and
// pixel): cells have at most 541 rows (slicPlan's check 9 S^2 * (3 S + 3) < 2^32), so the count is
// < 2^10 and the sum of y - y0 <= 541 * 540 / 2 < 2^18.
const COUNT_SHIFT: u32 = 18u;

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

// Slot s of the cell (gy, gx) is on the grid (recomputed where needed: one array less in registers).
// (gy + s / 3, gx + s % 3) is the candidate's row and column + 1, so row -1 wraps past the grid.
fn onGrid(gy: u32, gx: u32, s: u32) -> bool {
  return gy + s / 3u - 1u < params.gridH && gx + s % 3u - 1u < params.gridW;
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

  // The 3 x 3 candidate centres, as the distance uses them (see the header); off-grid slots are
  // never chosen.
  var colorScale: array<vec3u, 9>; // 2 COLOR_WEIGHT (L, a, b) of the centre
  var colorBias: array<u32, 9>; // COLOR_WEIGHT |(L, a, b)|^2 of the centre
  var centerY: array<u32, 9>;
  var dx2: array<u32, 9>;
  for (var s = 0u; s < 9u; s++) {
    let cy = gy + s / 3u;
    let cx = gx + s % 3u;
    let k = select(0u, (cy - 1u) * params.gridW + (cx - 1u), onGrid(gy, gx, s));
    let color = vec3u(centers[k * 5u + 2u], centers[k * 5u + 3u], centers[k * 5u + 4u]);
    colorScale[s] = 2u * COLOR_WEIGHT * color;
    colorBias[s] = COLOR_WEIGHT * dot(color, color);
    centerY[s] = centers[k * 5u];
    let dx = absDiff(x, centers[k * 5u + 1u]);
    dx2[s] = dx * dx;
  }

  // Per slot: (count << COUNT_SHIFT) + the sum of y - y0, then the sums of L, a, b.
  var acc: array<vec4u, 9>;
  for (var y = y0; y < y1; y++) {
    let p = y * params.width + x;
    let f = vec3u(features[p * 3u], features[p * 3u + 1u], features[p * 3u + 2u]);
    var bestSlot = 4u;
    if (INIT == 0u) {
      // Wrapping u32 arithmetic: the terms of a distance may wrap, the distance (< 2^32) does not.
      let pixelColor = COLOR_WEIGHT * dot(f, f);
      var best = 0xffffffffu;
      for (var s = 0u; s < 9u; s++) {
        let dy = absDiff(y, centerY[s]);
        // dy, dx < 2^16 (image side <= 8192), so dy*dy + dx*dx < 2^27.
        let spatial = min(dy * dy + dx2[s], params.maxSpatial2);
        let d = pixelColor + colorBias[s] - dot(f, colorScale[s]) + params.spatialWeight * spatial;
        if (onGrid(gy, gx, s) && d < best) {
          best = d;
          bestSlot = s;
        }
      }
    }
    labels[p] = (gy + bestSlot / 3u - 1u) * params.gridW + gx + bestSlot % 3u - 1u;
    // Every slot adds (constant indices keep acc in registers; a scattered add would not).
    let add = vec4u((1u << COUNT_SHIFT) + y - y0, f);
    for (var s = 0u; s < 9u; s++) {
      acc[s] += select(vec4u(0u), add, s == bestSlot);
    }
  }
  for (var s = 0u; s < 9u; s++) {
    let base = (i * 9u + s) * 5u;
    sums[base] = acc[s].x >> COUNT_SHIFT;
    sums[base + 1u] = acc[s].x & ((1u << COUNT_SHIFT) - 1u);
    sums[base + 2u] = acc[s].y;
    sums[base + 3u] = acc[s].z;
    sums[base + 4u] = acc[s].w;
  }
}
