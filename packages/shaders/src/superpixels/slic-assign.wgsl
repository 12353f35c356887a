// slic-assign.wgsl
//
// SLIC assignment step (Achanta et al., "SLIC Superpixels Compared to State-of-the-Art Superpixel
// Methods", TPAMI 2012), localised as in gSLICr (Ren, Prisacariu, Reid 2015): pixel p in grid
// cell (gy, gx) compares the centres of the 3 x 3 neighbouring cells and takes the nearest under
//   D = COLOR_WEIGHT * |lab_p - lab_k|^2 + spatialWeight * min(|yx_p - yx_k|^2, maxSpatial2),
// COLOR_WEIGHT / spatialWeight ~ S^2 / m^2 (S = grid step, m = compactness), which orders
// candidates like SLIC's dc^2 / m^2 + ds^2 / S^2. Features and centres are integers (quantized Lab,
// pixel positions), so D is exact u32 arithmetic and GPU and CPU agree bit for bit; ties go to the
// lowest cluster index. INIT = 1 instead labels each pixel with its own cell (the initial
// segmentation, whose means give the initial centres). Centres: u32 [clusters, 5] = (y, x, L, a, b).
// Overflow: COLOR_WEIGHT * 3 * 511^2 + spatialWeight * maxSpatial2 < 2^32 (checked on the host).
//
// Dispatch: 1-D, one invocation per pixel, folded past 65,535 workgroups. Numerics: exact.

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

fn absDiff(a: u32, b: u32) -> u32 {
  return select(b - a, a - b, a >= b);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let p = linearIndex(wid, lid, nwg, WORKGROUP_SIZE);
  if (p >= params.height * params.width) {
    return;
  }
  let yx = pixelYX(p, params.width);
  let y = yx.x;
  let x = yx.y;
  let gy = i32((y * params.gridH) / params.height);
  let gx = i32((x * params.gridW) / params.width);
  if (INIT == 1u) {
    labels[p] = u32(gy) * params.gridW + u32(gx);
    return;
  }
  let l = features[p * 3u];
  let a = features[p * 3u + 1u];
  let b = features[p * 3u + 2u];
  var best = 0xffffffffu;
  var bestK = 0u;
  for (var cy = max(gy - 1, 0); cy <= min(gy + 1, i32(params.gridH) - 1); cy++) {
    for (var cx = max(gx - 1, 0); cx <= min(gx + 1, i32(params.gridW) - 1); cx++) {
      let k = u32(cy) * params.gridW + u32(cx);
      let c = k * 5u;
      let dy = absDiff(y, centers[c]);
      let dx = absDiff(x, centers[c + 1u]);
      let dl = absDiff(l, centers[c + 2u]);
      let da = absDiff(a, centers[c + 3u]);
      let db = absDiff(b, centers[c + 4u]);
      // dy, dx < 2^16 (image side <= 8192), so dy*dy + dx*dx < 2^27.
      let spatial = min(dy * dy + dx * dx, params.maxSpatial2);
      let d = COLOR_WEIGHT * (dl * dl + da * da + db * db) + params.spatialWeight * spatial;
      if (d < best) {
        best = d;
        bestK = k;
      }
    }
  }
  labels[p] = bestK;
}
