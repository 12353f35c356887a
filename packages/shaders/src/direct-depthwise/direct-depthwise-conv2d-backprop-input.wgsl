// direct-depthwise-conv2d-backprop-input.wgsl
//
// Gradient of a depthwise 2-D convolution with channel multiplier 1 (NHWC, filter [fh, fw,
// channels, 1], dilation 1) with respect to its input, computed directly (no shared workgroup
// memory, no barriers): for every input cell,
//
//   dx[b, iy, ix, c] = sum over (ky, kx) of dy[b, oy, ox, c] * weights[ky, kx, c]
//                      where oy * strideHeight - padTop + ky == iy and
//                            ox * strideWidth - padLeft + kx == ix, 0 <= oy < outHeight, 0 <= ox < outWidth
//
// i.e. the forward convolution's pads and strides (those of tfjs's
// DepthwiseConv2dNativeBackpropInput), a gather: each dx cell sums the outputs its value reached,
// so no atomics.
// Why: tfjs-backend-webgpu 4.22's DepthwiseConv2dNativeBackpropInput was ~10x slower than tfjs-cpu
// on software adapters (SwiftShader, lavapipe); here every invocation works alone.
//
// Dispatch: 1-D, one invocation per 4 x 4 block of (input columns x channels) of one input row
// (conv-block.wgsl): count = batch * inHeight * ceil(inWidth / 4) * ceil(channels / 4)
// (directDepthwiseConv2dBackpropInputInvocations), ceil(count / WORKGROUP_SIZE) workgroups folded
// past 65,535. Each loaded weight vector serves the 4 columns; with the common 3-wide window at
// stride 1 each loaded dy cell also serves every column it reaches.
// Out-of-range lanes (columns that no output reaches for this kx, channels past the last) read
// clamped, valid addresses; dy values that do not apply are replaced by 0 with select, and lanes
// past the edge are never written.
// Numerics: f32 products summed in (ky, kx) order (at 3-wide stride 1, a window row's 3 products
// are summed first, then added): tolerance abs 1e-5, rel 1e-4 against the f64
// reference.

override WORKGROUP_SIZE: u32;

@group(0) @binding(0) var<uniform> params: ConvGeometry; // conv-geometry.wgsl
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> weights: array<f32>;
@group(0) @binding(3) var<storage, read_write> dx: array<f32>;

// Channels `lanes` of output-gradient cell (dyRow + ox), or 0 where `hit` is false.
fn outputGradient(dyRow: u32, ox: i32, hit: bool, lanes: vec4u) -> vec4f {
  let at = (dyRow + u32(clamp(ox, 0, i32(params.outWidth) - 1))) * params.inChannels;
  let g = vec4f(dy[at + lanes.x], dy[at + lanes.y], dy[at + lanes.z], dy[at + lanes.w]);
  return select(vec4f(0.0), g, hit);
}

// outputGradient at stride 1, where every output column 0 <= ox < outWidth is reached.
fn outputGradientAt(dyRow: u32, ox: i32, lanes: vec4u) -> vec4f {
  return outputGradient(dyRow, ox, ox >= 0 && ox < i32(params.outWidth), lanes);
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
  let work = convBlock(i, params.inWidth, params.inChannels);
  let iy = work.row % params.inHeight; // work.row = b * inHeight + iy
  let b = work.row / params.inHeight;
  let sh = i32(params.strideHeight);
  let sw = vec4i(i32(params.strideWidth));
  let outWidth = vec4i(i32(params.outWidth));

  var acc0 = vec4f(0.0);
  var acc1 = vec4f(0.0);
  var acc2 = vec4f(0.0);
  var acc3 = vec4f(0.0);
  for (var ky = 0u; ky < params.filterHeight; ky++) {
    let reachY = i32(iy + params.padTop) - i32(ky); // oy * strideHeight
    if (reachY < 0 || reachY % sh != 0 || reachY / sh >= i32(params.outHeight)) {
      continue;
    }
    let dyRow = (b * params.outHeight + u32(reachY / sh)) * params.outWidth;
    if (params.filterWidth == 3u && params.strideWidth == 1u) {
      // The common 3-wide window at stride 1: the 4 columns gather from 6 overlapping output
      // columns, loaded once each (the general loop below loads 12); column j, tap kx reads
      // output column base + j - kx.
      let base = i32(work.col0 + params.padLeft);
      let w0 = weightTap(ky, 0u, work.lanes);
      let w1 = weightTap(ky, 1u, work.lanes);
      let w2 = weightTap(ky, 2u, work.lanes);
      let g0 = outputGradientAt(dyRow, base - 2, work.lanes);
      let g1 = outputGradientAt(dyRow, base - 1, work.lanes);
      let g2 = outputGradientAt(dyRow, base, work.lanes);
      let g3 = outputGradientAt(dyRow, base + 1, work.lanes);
      let g4 = outputGradientAt(dyRow, base + 2, work.lanes);
      let g5 = outputGradientAt(dyRow, base + 3, work.lanes);
      acc0 += g2 * w0 + g1 * w1 + g0 * w2;
      acc1 += g3 * w0 + g2 * w1 + g1 * w2;
      acc2 += g4 * w0 + g3 * w1 + g2 * w2;
      acc3 += g5 * w0 + g4 * w1 + g3 * w2;
      continue;
    }
    for (var kx = 0u; kx < params.filterWidth; kx++) {
      let reachX = vec4i(i32(work.col0 + params.padLeft) - i32(kx)) + vec4i(0, 1, 2, 3); // ox * strideWidth
      let ox = reachX / sw;
      let hit = (reachX >= vec4i(0)) & (reachX % sw == vec4i(0)) & (ox < outWidth);
      if (!any(hit)) {
        continue;
      }
      let w = weightTap(ky, kx, work.lanes);
      acc0 += outputGradient(dyRow, ox.x, hit.x, work.lanes) * w;
      acc1 += outputGradient(dyRow, ox.y, hit.y, work.lanes) * w;
      acc2 += outputGradient(dyRow, ox.z, hit.z, work.lanes) * w;
      acc3 += outputGradient(dyRow, ox.w, hit.w, work.lanes) * w;
    }
  }
  storeBlock(work, params.inWidth, params.inChannels, acc0, acc1, acc2, acc3);
}

fn writeOutput(at: u32, value: f32) {
  dx[at] = value;
}
