// quickshift-density.wgsl
//
// Quick Shift's Parzen density (Vedaldi & Soatto, "Quick Shift and Kernel Methods for Mode
// Seeking", ECCV 2008; skimage.segmentation.quickshift): for pixel p,
//   density[p] = sum over q in the (2 W + 1)^2 window (W = ceil(3 kernelSize)) inside the image of
//                exp(-(|f_p - f_q|^2 + |yx_p - yx_q|^2) / (2 kernelSize^2))  + 1e-5 * noise[p],
// f = colour features (CIELAB times ratio, 3 per pixel, from the host), noise = seeded normals
// that break ties as skimage's random noise does. Terms with an exponent below -40 (< 5e-18, below
// the density's resolution) are skipped, as in the CPU path.
//
// Dispatch: 1-D, one invocation per pixel, folded past 65,535 workgroups.
// Numerics: f32 exp and sums of up to (2W + 1)^2 terms; relative error ~ 1e-5 of the density
// (tolerance rel 2e-5, abs 1e-5).

override WORKGROUP_SIZE: u32;

struct Params {
  height: u32,
  width: u32,
  window: u32,
  inv: f32, // -1 / (2 kernelSize^2)
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> features: array<f32>;
@group(0) @binding(2) var<storage, read> noise: array<f32>;
@group(0) @binding(3) var<storage, read_write> density: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let p = linearIndex(wid, lid, nwg, WORKGROUP_SIZE);
  if (p >= params.height * params.width) {
    return;
  }
  let yx = vec2i(pixelYX(p, params.width));
  let y = yx.x;
  let x = yx.y;
  let w = i32(params.window);
  let f = featureAt(p);
  var s = 0.0;
  for (var yy = max(0, y - w); yy < min(i32(params.height), y + w + 1); yy++) {
    let dy = f32(yy - y);
    for (var xx = max(0, x - w); xx < min(i32(params.width), x + w + 1); xx++) {
      let q = u32(yy) * params.width + u32(xx);
      let d = f - featureAt(q);
      let dx = f32(xx - x);
      let e = (dot(d, d) + dy * dy + dx * dx) * params.inv;
      if (e >= -40.0) {
        s += exp(e);
      }
    }
  }
  density[p] = s + 1e-5 * noise[p];
}
