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
// Each loaded weight vector serves the 4 columns; with the common 3-wide window at stride 1 each
// loaded input cell also serves every column whose window covers it.
// Out-of-range lanes read clamped, valid addresses: input cells in the padding are replaced by 0
// with select (never multiplied by a mask: 0 * inf would be NaN), and columns or channels past the
// output's edge are never written.
// Numerics: f32 products summed in (ky, kx) order (at 3-wide stride 1, a window row's 3 products
// are summed first, then added): tolerance abs 1e-5, rel 1e-4 against the f64
// reference (sums of filterHeight * filterWidth terms).

override WORKGROUP_SIZE: u32;

@group(0) @binding(0) var<uniform> params: ConvGeometry; // conv-geometry.wgsl
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> weights: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;

// Channels `lanes` of input cell (rowBase + ix), or 0 where ix lies in the padding.
fn inputCell(rowBase: u32, ix: i32, lanes: vec4u) -> vec4f {
  let at = (rowBase + u32(clamp(ix, 0, i32(params.inWidth) - 1))) * params.inChannels;
  let v = vec4f(x[at + lanes.x], x[at + lanes.y], x[at + lanes.z], x[at + lanes.w]);
  return select(vec4f(0.0), v, ix >= 0 && ix < i32(params.inWidth));
}

// Channels `lanes` of the filter tap (ky, kx).
fn weightTap(ky: u32, kx: u32, lanes: vec4u) -> vec4f {
  let at = (ky * params.filterWidth + kx) * params.inChannels;
  return vec4f(weights[at + lanes.x], weights[at + lanes.y], weights[at + lanes.z], weights[at + lanes.w]);
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
    if (params.filterWidth == 3u && sw == 1) {
      // The common 3-wide window at stride 1: the 4 columns' windows overlap, so the 6 input
      // cells they cover are loaded once each (the general loop below loads 12).
      let w0 = weightTap(ky, 0u, work.lanes);
      let w1 = weightTap(ky, 1u, work.lanes);
      let w2 = weightTap(ky, 2u, work.lanes);
      let c0 = inputCell(rowBase, left0, work.lanes);
      let c1 = inputCell(rowBase, left0 + 1, work.lanes);
      let c2 = inputCell(rowBase, left0 + 2, work.lanes);
      let c3 = inputCell(rowBase, left0 + 3, work.lanes);
      let c4 = inputCell(rowBase, left0 + 4, work.lanes);
      let c5 = inputCell(rowBase, left0 + 5, work.lanes);
      acc0 += c0 * w0 + c1 * w1 + c2 * w2;
      acc1 += c1 * w0 + c2 * w1 + c3 * w2;
      acc2 += c2 * w0 + c3 * w1 + c4 * w2;
      acc3 += c3 * w0 + c4 * w1 + c5 * w2;
      continue;
    }
    for (var kx = 0u; kx < params.filterWidth; kx++) {
      let w = weightTap(ky, kx, work.lanes);
      let ix = left0 + i32(kx);
      acc0 += inputCell(rowBase, ix, work.lanes) * w;
      acc1 += inputCell(rowBase, ix + sw, work.lanes) * w;
      acc2 += inputCell(rowBase, ix + 2 * sw, work.lanes) * w;
      acc3 += inputCell(rowBase, ix + 3 * sw, work.lanes) * w;
    }
  }
  storeBlock(work, params.outWidth, params.inChannels, acc0, acc1, acc2, acc3);
}

fn writeOutput(at: u32, value: f32) {
  y[at] = value;
}
