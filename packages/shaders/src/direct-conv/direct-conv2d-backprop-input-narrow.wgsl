// direct-conv2d-backprop-input-narrow.wgsl
//
// direct-conv2d-backprop-input.wgsl for up to 4 input channels (directConv2dBackpropInputFor picks
// it): a 4 x 4 block instead of 8 x 8, whose upper 4 channels would all be clamped copies there.
//
// What it computes, why and its numerics: direct-conv2d-backprop-input.wgsl.
//
// Dispatch: 1-D, one invocation per 4 x 4 block of (input columns x input channels) of one input
// row (conv-block.wgsl): count = batch * inHeight * ceil(inWidth / 4) * ceil(inChannels / 4)
// (directConv2dBackpropInputInvocations of this kernel), ceil(count / WORKGROUP_SIZE) workgroups
// folded past 65,535. Each loaded weight and each dy value is used 4 times.
// Out-of-range lanes (columns that no output reaches for this kx, channels past inChannels) read
// clamped, valid addresses; dy values that do not apply are replaced by 0 with select, and lanes
// past the edge are never written.

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
  let work = convBlock(i, params.inWidth, params.inChannels);
  let iy = work.row % params.inHeight; // work.row = b * inHeight + iy
  let b = work.row / params.inHeight;
  let ix0 = work.col0;
  let chans = work.lanes; // weight rows (input channels)
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
    for (var kx = 0u; kx < params.filterWidth; kx++) {
      let reachX = vec4i(i32(ix0 + params.padLeft) - i32(kx)) + vec4i(0, 1, 2, 3); // ox * strideWidth
      let ox = reachX / sw;
      let hit = (reachX >= vec4i(0)) & (reachX % sw == vec4i(0)) & (ox < outWidth);
      if (!any(hit)) {
        continue;
      }
      let dyBase = (vec4u(dyRow) + vec4u(clamp(ox, vec4i(0), outWidth - 1))) * params.outChannels;
      let wBase = ((ky * params.filterWidth + kx) * params.inChannels) * params.outChannels;
      let wRows = vec4u(wBase) + chans * params.outChannels;
      for (var co = 0u; co < params.outChannels; co++) {
        let w = vec4f(weights[wRows.x + co], weights[wRows.y + co], weights[wRows.z + co], weights[wRows.w + co]);
        let g = select(vec4f(0.0), vec4f(dy[dyBase.x + co], dy[dyBase.y + co], dy[dyBase.z + co], dy[dyBase.w + co]), hit);
        acc0 += g.x * w;
        acc1 += g.y * w;
        acc2 += g.z * w;
        acc3 += g.w * w;
      }
    }
  }
  storeBlock(work, params.inWidth, params.inChannels, acc0, acc1, acc2, acc3);
}

fn writeOutput(at: u32, value: f32) {
  dx[at] = value;
}
