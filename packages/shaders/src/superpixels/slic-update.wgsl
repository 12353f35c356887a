// slic-update.wgsl
//
// SLIC update step (Achanta et al. 2012): every centre moves to the mean position and mean colour
// of the pixels assigned to it. One workgroup per cluster k = (gy, gx) scans the only pixels that
// can carry label k, those of grid cells (gy +- 2, gx +- 2) (slic-assign looks no further), with
// a strided loop, and adds count, local y, local x, L, a, b in u32 (integers: exact in any order);
// a shared-memory tree combines the invocations. The new centre is the rounded mean
// ((sum + count / 2) / count); a cluster with no pixels keeps its centre.
// Cell rows of grid row g start at ceil(g * H / gridH) (the inverse of slic-assign's
// floor(y * gridH / H)). Overflow: sums < 2^32 while 25 S^2 * max(5 S, 511) < 2^32 (S = step),
// checked on the host.
//
// Dispatch: one workgroup per cluster, 1-D, folded past 65,535. Numerics: exact.

override WORKGROUP_SIZE: u32 = 256u;

struct Params {
  height: u32,
  width: u32,
  gridH: u32,
  gridW: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> features: array<u32>;
@group(0) @binding(2) var<storage, read> labels: array<u32>;
@group(0) @binding(3) var<storage, read_write> centers: array<u32>;

var<workgroup> sumN: array<u32, WORKGROUP_SIZE>;
var<workgroup> sumY: array<u32, WORKGROUP_SIZE>;
var<workgroup> sumX: array<u32, WORKGROUP_SIZE>;
var<workgroup> sumL: array<u32, WORKGROUP_SIZE>;
var<workgroup> sumA: array<u32, WORKGROUP_SIZE>;
var<workgroup> sumB: array<u32, WORKGROUP_SIZE>;

fn cellStart(g: u32, size: u32, grid: u32) -> u32 {
  return (g * size + grid - 1u) / grid;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let k = linearWorkgroup(wid, nwg);
  let clusters = params.gridH * params.gridW;
  // Uniform per workgroup: the whole workgroup returns together.
  if (k >= clusters) {
    return;
  }
  let gy = k / params.gridW;
  let gx = k - gy * params.gridW;
  let y0 = cellStart(max(gy, 2u) - 2u, params.height, params.gridH);
  let y1 = cellStart(min(gy + 3u, params.gridH), params.height, params.gridH);
  let x0 = cellStart(max(gx, 2u) - 2u, params.width, params.gridW);
  let x1 = cellStart(min(gx + 3u, params.gridW), params.width, params.gridW);
  let rw = x1 - x0;
  let count = (y1 - y0) * rw;
  var n = 0u;
  var sy = 0u;
  var sx = 0u;
  var sl = 0u;
  var sa = 0u;
  var sb = 0u;
  for (var i = lid.x; i < count; i += WORKGROUP_SIZE) {
    let ly = i / rw;
    let lx = i - ly * rw;
    let p = (y0 + ly) * params.width + x0 + lx;
    if (labels[p] == k) {
      n += 1u;
      sy += ly;
      sx += lx;
      sl += features[p * 3u];
      sa += features[p * 3u + 1u];
      sb += features[p * 3u + 2u];
    }
  }
  let t = lid.x;
  sumN[t] = n;
  sumY[t] = sy;
  sumX[t] = sx;
  sumL[t] = sl;
  sumA[t] = sa;
  sumB[t] = sb;
  workgroupBarrier();
  for (var stride = WORKGROUP_SIZE / 2u; stride > 0u; stride /= 2u) {
    if (t < stride) {
      sumN[t] += sumN[t + stride];
      sumY[t] += sumY[t + stride];
      sumX[t] += sumX[t + stride];
      sumL[t] += sumL[t + stride];
      sumA[t] += sumA[t + stride];
      sumB[t] += sumB[t + stride];
    }
    workgroupBarrier();
  }
  if (t == 0u && sumN[0] > 0u) {
    let total = sumN[0];
    let half = total / 2u;
    centers[k * 5u] = y0 + (sumY[0] + half) / total;
    centers[k * 5u + 1u] = x0 + (sumX[0] + half) / total;
    centers[k * 5u + 2u] = (sumL[0] + half) / total;
    centers[k * 5u + 3u] = (sumA[0] + half) / total;
    centers[k * 5u + 4u] = (sumB[0] + half) / total;
  }
}
