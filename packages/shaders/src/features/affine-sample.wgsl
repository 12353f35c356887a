// affine-sample.wgsl
//
// Bilinear resampling of each image through its own affine map: the "transformation robustness"
// of feature visualisation (jitter, scale and rotation drawn per step and image; Olah, Mordvintsev &
// Schubert, "Feature Visualization", Distill 2017), and a resize to the model's input size.
//   (sx, sy) = affineSource(n, x, y)   (affine-map.wgsl: m0 x + m1 y + m2, m3 x + m4 y + m5)
//   out[n, y, x, ch] = sum over the 4 taps (ix, iy) = (floor(sx) + {0,1}, floor(sy) + {0,1}) of
//                      (1 - |sx - ix|)(1 - |sy - iy|) * (src[n, iy, ix, ch] if inside, else fill)
// Taps outside the source read `fill`
// (a constant border, as padding the image before transforming it would). The adjoint
// (affine-sample-adjoint.wgsl) is this map's transpose, for gradients.
//
// Dispatch: one invocation per output pixel (n, y, x), all channels in a loop; 1-D, folded past
// 65,535 workgroups (linearIndex). transforms is [n][6] f32. Shapes are uniforms.
// Numerics: four products and three sums per value; tolerance abs 1e-4 + rel 1e-5 (coordinates
// round to 2^-24 |coordinate|, which moves values by that times their slope) for inputs of
// magnitude <= ~10 (affine-sample.kernel.ts).

override WORKGROUP_SIZE: u32;

// Params: affine-sample-params.wgsl; affineSource, bilinearFooting: affine-map.wgsl (includes).

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read> transforms: array<vec2f>; // [n][6] floats as [n][3] vec2 (affine-map.wgsl)
@group(0) @binding(3) var<storage, read_write> output: array<f32>;

fn tap(n: u32, iy: i32, ix: i32, ch: u32) -> f32 {
  if (ix < 0 || iy < 0 || ix >= i32(params.srcWidth) || iy >= i32(params.srcHeight)) {
    return params.fill;
  }
  return src[((n * params.srcHeight + u32(iy)) * params.srcWidth + u32(ix)) * params.channels + ch];
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = linearIndex(wid, lid, nwg, WORKGROUP_SIZE);
  let pixels = params.outHeight * params.outWidth;
  if (i >= params.images * pixels) {
    return;
  }
  let n = i / pixels;
  let at = bilinearFooting(n, i % pixels, params.outWidth);
  let ix = at.corner.x;
  let iy = at.corner.y;
  let tx = at.t.x;
  let ty = at.t.y;
  for (var ch = 0u; ch < params.channels; ch++) {
    let top = (1.0 - tx) * tap(n, iy, ix, ch) + tx * tap(n, iy, ix + 1, ch);
    let bottom = (1.0 - tx) * tap(n, iy + 1, ix, ch) + tx * tap(n, iy + 1, ix + 1, ch);
    output[i * params.channels + ch] = (1.0 - ty) * top + ty * bottom;
  }
}
