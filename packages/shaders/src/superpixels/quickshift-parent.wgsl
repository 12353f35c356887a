// quickshift-parent.wgsl
//
// Quick Shift's tree links (Vedaldi & Soatto 2008; skimage): each pixel links to the nearest pixel
// of strictly higher density in its (2 W + 1)^2 window, under |f_p - f_q|^2 + |yx_p - yx_q|^2;
// if that is farther than maxDist (or no such pixel exists) the pixel is a root (links to itself).
// Ties in distance go to the lowest pixel index (the first in raster order). Roots of the forest are the segments (the host
// follows the links).
//
// Dispatch: 1-D, one invocation per pixel, folded past 65,535 workgroups.
// Numerics: exact comparisons of f32 values; a link can differ from the f64 CPU path only where
// two densities (or two distances) are within their rounding of each other (a near-tie).

override WORKGROUP_SIZE: u32;

struct Params {
  height: u32,
  width: u32,
  window: u32,
  maxDist2: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> features: array<f32>;
@group(0) @binding(2) var<storage, read> density: array<f32>;
@group(0) @binding(3) var<storage, read_write> parent: array<u32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let p = linearIndex(wid, lid, nwg, WORKGROUP_SIZE);
  if (p >= params.height * params.width) {
    return;
  }
  let yx = vec2i(pixelYX(p, params.width));
  let y = yx.x;
  let x = yx.y;
  let h = i32(params.height);
  let wd = i32(params.width);
  let f = featureAt(p);
  let own = density[p];
  var closest = 3.0e38;
  var link = p;
  // Rings of Chebyshev radius r = 1, 2, ..., W: every pixel of ring r is at least r^2 away, so the
  // search stops once r^2 exceeds the best distance (exact: same link as a full window scan with
  // ties broken by the lower pixel index).
  for (var r = 1; r <= i32(params.window); r++) {
    if (f32(r * r) > closest) {
      break;
    }
    for (var side = 0; side < 4; side++) {
      for (var t = -r; t < r; t++) {
        var dy = 0;
        var dx = 0;
        if (side == 0) { dy = -r; dx = t; }        // top row, left to right (excluding the last corner)
        else if (side == 1) { dy = t; dx = r; }    // right column, top to bottom
        else if (side == 2) { dy = r; dx = -t; }   // bottom row, right to left
        else { dy = -t; dx = -r; }                 // left column, bottom to top
        let yy = y + dy;
        let xx = x + dx;
        if (yy < 0 || yy >= h || xx < 0 || xx >= wd) {
          continue;
        }
        let q = u32(yy) * params.width + u32(xx);
        if (density[q] <= own) {
          continue;
        }
        let d = f - featureAt(q);
        let dist = dot(d, d) + f32(dy * dy + dx * dx);
        if (dist < closest || (dist == closest && q < link)) {
          closest = dist;
          link = q;
        }
      }
    }
  }
  parent[p] = select(p, link, closest <= params.maxDist2);
}
