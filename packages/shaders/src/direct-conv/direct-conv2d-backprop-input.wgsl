// direct-conv2d-backprop-input.wgsl
//
// Gradient of a 2-D convolution (NHWC, HWIO weights, dilation 1) with respect to its input,
// computed directly (no shared workgroup memory, no barriers): for every input cell,
//
//   dx[b, iy, ix, ci] = sum over (ky, kx, co) of dy[b, oy, ox, co] * weights[ky, kx, ci, co]
//                       where oy * strideHeight - padTop + ky == iy and
//                             ox * strideWidth - padLeft + kx == ix, 0 <= oy < outHeight, 0 <= ox < outWidth
//
// i.e. the forward convolution's pads and strides (those of tfjs's Conv2DBackpropInput), a gather:
// each dx cell sums the outputs its value reached, so no atomics.
// Why: software adapters emulate workgroupBarrier() slowly; tfjs's Conv2DBackpropInput is a tiled
// matmul with barriers (docs/decisions/0009).
//
// Dispatch: 1-D, one invocation per 8 x 8 block of (input columns x input channels) of one input
// row (conv-block8.wgsl): count = batch * inHeight * ceil(inWidth / 8) * ceil(inChannels / 8)
// (directConv2dBackpropInputInvocations of this kernel), ceil(count / WORKGROUP_SIZE) workgroups
// folded past 65,535. Each loaded weight and each dy value is used 8 times. For up to 4 input
// channels (an image's gradient) direct-conv2d-backprop-input-narrow.wgsl's 4 x 4 block is faster:
// half of this block's channels would be clamped copies (MNIST conv1's input gradient at batch 32
// in headless Chromium: 34 ms narrow vs 47 ms here; conv2 / conv3: 65 / 156 ms at 4 x 4, 38 / 90
// ms here).
// For a column stride of 1 and filters up to 5 wide, direct-conv2d-backprop-input-slide.wgsl loads
// each dy cell once per (ky, co) instead of once per kx (directConv2dBackpropInputFor picks it on
// SwiftShader, for any channel count).
// Out-of-range lanes (columns that no output reaches for this kx, channels past inChannels) read
// clamped, valid addresses; dy values that do not apply are replaced by 0 with select, and lanes
// past the edge are never written.
// Numerics: f32 products summed in (ky, kx, co) order: tolerance abs 1e-5, rel 1e-4 against the f64
// reference.

override WORKGROUP_SIZE: u32;

@group(0) @binding(0) var<uniform> params: ConvGeometry; // conv-geometry.wgsl
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> weights: array<f32>;
@group(0) @binding(3) var<storage, read_write> dx: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = linearIndex(wid, lid, nwg, WORKGROUP_SIZE);
  if (i >= params.count) {
    return;
  }
  let work = convBlock8(i, params.inWidth, params.inChannels);
  let iy = work.row % params.inHeight; // work.row = b * inHeight + iy
  let b = work.row / params.inHeight;
  let sh = i32(params.strideHeight);
  let sw = vec4i(i32(params.strideWidth));
  let outWidth = vec4i(i32(params.outWidth));
  let ix0 = vec4i(i32(work.col0 + params.padLeft)) + vec4i(0, 1, 2, 3); // columns 0-3 (+ padLeft); 4-7 are 4 further

  var loA = mat4x4f();
  var hiA = mat4x4f();
  var loB = mat4x4f();
  var hiB = mat4x4f();
  for (var ky = 0u; ky < params.filterHeight; ky++) {
    let reachY = i32(iy + params.padTop) - i32(ky); // oy * strideHeight
    if (reachY < 0 || reachY % sh != 0 || reachY / sh >= i32(params.outHeight)) {
      continue;
    }
    let dyRow = vec4u((b * params.outHeight + u32(reachY / sh)) * params.outWidth);
    for (var kx = 0u; kx < params.filterWidth; kx++) {
      let reachA = ix0 - vec4i(i32(kx)); // ox * strideWidth
      let reachB = reachA + vec4i(4);
      let oxA = reachA / sw;
      let oxB = reachB / sw;
      let hitA = (reachA >= vec4i(0)) & (reachA % sw == vec4i(0)) & (oxA < outWidth);
      let hitB = (reachB >= vec4i(0)) & (reachB % sw == vec4i(0)) & (oxB < outWidth);
      if (!any(hitA) && !any(hitB)) {
        continue;
      }
      let dyA = (dyRow + vec4u(clamp(oxA, vec4i(0), outWidth - 1))) * params.outChannels;
      let dyB = (dyRow + vec4u(clamp(oxB, vec4i(0), outWidth - 1))) * params.outChannels;
      let wBase = vec4u(((ky * params.filterWidth + kx) * params.inChannels) * params.outChannels);
      let rowsLo = wBase + work.lo * params.outChannels; // weight rows (input channels)
      let rowsHi = wBase + work.hi * params.outChannels;
      for (var co = 0u; co < params.outChannels; co++) {
        let wLo = vec4f(weights[rowsLo.x + co], weights[rowsLo.y + co], weights[rowsLo.z + co], weights[rowsLo.w + co]);
        let wHi = vec4f(weights[rowsHi.x + co], weights[rowsHi.y + co], weights[rowsHi.z + co], weights[rowsHi.w + co]);
        let gA = select(vec4f(0.0), vec4f(dy[dyA.x + co], dy[dyA.y + co], dy[dyA.z + co], dy[dyA.w + co]), hitA);
        let gB = select(vec4f(0.0), vec4f(dy[dyB.x + co], dy[dyB.y + co], dy[dyB.z + co], dy[dyB.w + co]), hitB);
        loA += outer(gA, wLo);
        hiA += outer(gA, wHi);
        loB += outer(gB, wLo);
        hiB += outer(gB, wHi);
      }
    }
  }
  storeBlock8(work, params.inWidth, params.inChannels, loA, hiA, loB, hiB);
}

fn writeOutput(at: u32, value: f32) {
  dx[at] = value;
}
