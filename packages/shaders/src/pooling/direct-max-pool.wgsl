// direct-max-pool.wgsl
//
// 2-D max pooling (NHWC, dilation 1) of float32 feature maps whose channel count is a multiple of 4,
// computed the way tfjs-webgpu 4.22's Pool2DProgram ('max') computes it, so that the results are the
// same bit for bit on the same device:
//
//   y[b, oy, ox, c] = max over window cells (r, k) inside the image, rows first, left to right, of
//                     max(x[b, r, k, c], running), running starting at -1 / pow(10, -20) (-1e20)
//
// Cells outside the image (padding) are skipped. Like tfjs, a window whose values are all below
// -1e20 (or a window entirely in the padding) yields -1e20, and NaN handling is that of WGSL's max()
// on the device (implementation-defined: max(NaN, m) and max(v, NaN) may return either operand), in
// tfjs's argument order, max(value, running), so whatever the device does, it does for both.
//
// Why this kernel: on SwiftShader tfjs's program (one invocation per output element, 128 per
// workgroup, generic index helpers) cost 0.55-0.9 ms for the MNIST CNN's first pool at batch 1
// (docs/decisions/0009). Here an invocation computes 4 channels with vec4 loads and stores, and the
// index arithmetic is done once per output cell instead of once per channel.
//
// Dispatch: 1-D, one invocation per output cell and group of 4 channels (pool-quads.wgsl): count =
// batch * outHeight * outWidth * channels / 4 (poolQuadsParams), ceil(count / WORKGROUP_SIZE)
// workgroups folded past 65,535. No workgroup memory, no barriers.
// Numerics: comparisons only; exact.

override WORKGROUP_SIZE: u32;

@group(0) @binding(0) var<uniform> params: PoolQuadsParams;
@group(0) @binding(1) var<storage, read> x: array<vec4f>;
@group(0) @binding(2) var<storage, read_write> y: array<vec4f>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = linearIndex(wid, lid, nwg, WORKGROUP_SIZE);
  if (i >= params.count) {
    return;
  }
  let work = poolQuadOf(i, params);
  let quad = work.x;
  let ox = work.y;
  let oy = work.z;
  let b = work.w;
  let top = i32(oy * params.strideHeight) - i32(params.padTop);
  let left = i32(ox * params.strideWidth) - i32(params.padLeft);
  // tfjs's start value, written as tfjs writes it (a constant expression: the same f32 on every device).
  var result = vec4f(-1.0 / pow(10.0, -20.0));
  for (var wr = 0; wr < i32(params.filterHeight); wr++) {
    let r = top + wr;
    if (r < 0 || r >= i32(params.height)) {
      continue;
    }
    let rowBase = (b * params.height + u32(r)) * params.width;
    for (var wc = 0; wc < i32(params.filterWidth); wc++) {
      let k = left + wc;
      if (k < 0 || k >= i32(params.width)) {
        continue;
      }
      result = max(x[(rowBase + u32(k)) * params.quads + quad], result);
    }
  }
  y[i] = result;
}
