// direct-depthwise-conv2d.wgsl
//
// Depthwise 2-D convolution with channel multiplier 1 (NHWC input, filter [fh, fw, channels, 1],
// dilation 1), computed directly: no shared workgroup memory, no barriers. Every channel is
// convolved with its own filterHeight x filterWidth window:
//
//   y[b, oy, ox, c] = sum over (ky, kx) of
//                     x[b, oy * strideHeight - padTop + ky, ox * strideWidth - padLeft + kx, c]
//                     * weights[ky, kx, c]
//
// Input cells outside the image (padding) count as 0.
//
// Why: tfjs-backend-webgpu 4.22's DepthwiseConv2dNative shaders were 5-10x slower than tfjs-cpu on
// software adapters (SwiftShader, lavapipe), which run a workgroup's invocations on CPU threads.
// Here every invocation works alone, as in direct-conv/.
//
// Dispatch: 1-D, one invocation per 4 x 4 block of (output columns x channels) of one output row
// (conv-block.wgsl): count = batch * outHeight * ceil(outWidth / 4) * ceil(channels / 4)
// (directDepthwiseConv2dInvocations), ceil(count / WORKGROUP_SIZE) workgroups folded past 65,535.
// Each loaded weight vector serves the 4 columns.
// Out-of-range lanes read clamped, valid addresses: input cells in the padding are replaced by 0
// with select (never multiplied by a mask: 0 * inf would be NaN), and columns or channels past the
// output's edge are never written.
// Numerics: f32 products summed in (ky, kx) order: tolerance abs 1e-5, rel 1e-4 against the f64
// reference (sums of filterHeight * filterWidth terms).

override WORKGROUP_SIZE: u32;

// The fields of CONV_GEOMETRY_UNIFORM (direct-conv2d.kernel.ts); inChannels == outChannels here.
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
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> weights: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;

// Channels `lanes` of input cell (b * inHeight + iy) * inWidth + ix, or 0 where `inside` is false.
fn inputCell(rowBase: u32, ix: i32, inside: bool, lanes: vec4u) -> vec4f {
  let at = (rowBase + u32(clamp(ix, 0, i32(params.inWidth) - 1))) * params.inChannels;
  let v = vec4f(x[at + lanes.x], x[at + lanes.y], x[at + lanes.z], x[at + lanes.w]);
  return select(vec4f(0.0), v, inside);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = linearIndex(wid, lid, nwg, WORKGROUP_SIZE);
  if (i >= params.count) {
    return;
  }
  let work = convBlock(i, params.outWidth, params.inChannels);
  let oy = work.row % params.outHeight; // work.row = b * outHeight + oy
  let b = work.row / params.outHeight;
  let top = i32(oy * params.strideHeight) - i32(params.padTop);
  let sw = i32(params.strideWidth);
  let left0 = i32(work.col0) * sw - i32(params.padLeft);
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
      let wBase = (ky * params.filterWidth + kx) * params.inChannels;
      let w = vec4f(weights[wBase + work.lanes.x], weights[wBase + work.lanes.y], weights[wBase + work.lanes.z], weights[wBase + work.lanes.w]);
      let ix = vec4i(left0 + i32(kx)) + vec4i(0, 1, 2, 3) * sw;
      let inside = (ix >= vec4i(0)) & (ix < vec4i(inWidth));
      acc0 += inputCell(rowBase, ix.x, inside.x, work.lanes) * w;
      acc1 += inputCell(rowBase, ix.y, inside.y, work.lanes) * w;
      acc2 += inputCell(rowBase, ix.z, inside.z, work.lanes) * w;
      acc3 += inputCell(rowBase, ix.w, inside.w, work.lanes) * w;
    }
  }
  storeBlock(work, params.outWidth, params.inChannels, acc0, acc1, acc2, acc3);
}

fn writeOutput(at: u32, value: f32) {
  y[at] = value;
}
