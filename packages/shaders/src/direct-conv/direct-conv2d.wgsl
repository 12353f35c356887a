// direct-conv2d.wgsl
//
// 2-D convolution (NHWC input, HWIO filter, dilation 1) with an optional per-channel bias and a
// fused activation, computed directly: no im2col buffer, no shared workgroup memory, no barriers.
//
//   y[b, oy, ox, co] = act(bias[co] + sum over (ky, kx, ci) of
//                          x[b, oy * strideHeight - padTop + ky, ox * strideWidth - padLeft + kx, ci]
//                          * weights[ky, kx, ci, co])
//
// Input cells outside the image (padding) count as 0. act: 0 linear, 1 relu, 2 relu6 (activation.wgsl).
//
// Why this shape: software adapters (SwiftShader, lavapipe) run a workgroup's invocations on CPU
// threads and emulate workgroupBarrier(), which makes tiled matmul convolutions (tfjs's Conv2DMM and
// im2col + matmul) slow there (docs/decisions/0009). Here every invocation works alone.
//
// Dispatch: 1-D, one invocation per 4 x 4 block of (output columns x output channels) of one
// output row (conv-block.wgsl): count = batch * outHeight * ceil(outWidth / 4) * ceil(outChannels /
// 4) (directConv2dInvocations), ceil(count / WORKGROUP_SIZE) workgroups folded past 65,535. Every
// loaded input value is used 4 times and every loaded weight 4 times (one output pixel per
// invocation was 2-4x slower on SwiftShader).
// Out-of-range lanes read clamped, valid addresses: input cells in the padding are replaced by 0
// with select (never multiplied by a mask: 0 * inf would be NaN), and columns or channels past the
// output's edge are never written.
// Numerics: f32 products summed in (ky, kx, ci) order, the bias added last: tolerance abs 1e-5,
// rel 1e-4 against the f64 reference (sums of up to a few thousand terms).

override WORKGROUP_SIZE: u32;

// ConvGeometry's fields (conv-geometry.wgsl), then hasBias and activation.
struct Params {
  count: u32,
  inHeight: u32,
  inWidth: u32,
  inChannels: u32,
  outHeight: u32,
  outWidth: u32,
  outChannels: u32,
  filterHeight: u32,
  filterWidth: u32,
  strideHeight: u32,
  strideWidth: u32,
  padTop: u32,
  padLeft: u32,
  hasBias: u32,
  activation: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> weights: array<f32>;
// Read only when params.hasBias is 1 (bind any storage buffer otherwise).
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> y: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = linearIndex(wid, lid, nwg, WORKGROUP_SIZE);
  if (i >= params.count) {
    return;
  }
  let work = convBlock(i, params.outWidth, params.outChannels);
  let oy = work.row % params.outHeight; // work.row = b * outHeight + oy
  let b = work.row / params.outHeight;
  let cols = work.lanes; // weight and bias columns
  let top = i32(oy * params.strideHeight) - i32(params.padTop);
  let left0 = i32(work.col0 * params.strideWidth) - i32(params.padLeft);
  let inWidth = i32(params.inWidth);

  var acc0 = vec4f(0.0);
  var acc1 = vec4f(0.0);
  var acc2 = vec4f(0.0);
  var acc3 = vec4f(0.0);
  for (var ky = 0u; ky < params.filterHeight; ky++) {
    let iy = top + i32(ky);
    if (iy < 0 || iy >= i32(params.inHeight)) {
      continue;
    }
    let rowBase = (b * params.inHeight + u32(iy)) * params.inWidth;
    for (var kx = 0u; kx < params.filterWidth; kx++) {
      let ix = vec4i(left0 + i32(kx)) + vec4i(0, 1, 2, 3) * i32(params.strideWidth);
      let inside = (ix >= vec4i(0)) & (ix < vec4i(inWidth));
      let cx = vec4u(clamp(ix, vec4i(0), vec4i(inWidth - 1)));
      let xBase = (vec4u(rowBase) + cx) * params.inChannels;
      var wBase = (ky * params.filterWidth + kx) * params.inChannels * params.outChannels;
      for (var ci = 0u; ci < params.inChannels; ci++) {
        let w = vec4f(weights[wBase + cols.x], weights[wBase + cols.y], weights[wBase + cols.z], weights[wBase + cols.w]);
        let xv = select(vec4f(0.0), vec4f(x[xBase.x + ci], x[xBase.y + ci], x[xBase.z + ci], x[xBase.w + ci]), inside);
        acc0 += xv.x * w;
        acc1 += xv.y * w;
        acc2 += xv.z * w;
        acc3 += xv.w * w;
        wBase += params.outChannels;
      }
    }
  }
  var shift = vec4f(0.0);
  if (params.hasBias == 1u) {
    shift = vec4f(bias[cols.x], bias[cols.y], bias[cols.z], bias[cols.w]);
  }
  let v0 = activate(acc0 + shift, params.activation, 0.0);
  let v1 = activate(acc1 + shift, params.activation, 0.0);
  let v2 = activate(acc2 + shift, params.activation, 0.0);
  let v3 = activate(acc3 + shift, params.activation, 0.0);
  storeBlock(work, params.outWidth, params.outChannels, v0, v1, v2, v3);
}

fn writeOutput(at: u32, value: f32) {
  y[at] = value;
}
