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
// Dispatch: 1-D, one invocation per (b, iy, tile of 4 input columns, group of 4 input channels):
// count = batch * inHeight * ceil(inWidth / 4) * ceil(inChannels / 4), ceil(count /
// WORKGROUP_SIZE) workgroups folded past 65,535 (directConv2dBackpropInputInvocations). A 4 x 4
// block of sums per invocation reuses each loaded weight 4 times and each dy value 4 times.
// Out-of-range lanes (columns that no output reaches for this kx, channels past inChannels) read
// clamped, valid addresses; dy values that do not apply are replaced by 0 with select, and lanes
// past the edge are never written.
// Numerics: f32 products summed in (ky, kx, co) order: tolerance abs 1e-5, rel 1e-4 against the f64
// reference.

override WORKGROUP_SIZE: u32;

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
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> weights: array<f32>;
@group(0) @binding(3) var<storage, read_write> dx: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = linearIndex(wid, lid, nwg, WORKGROUP_SIZE);
  if (i >= params.count) {
    return;
  }
  let groups = (params.inChannels + 3u) / 4u;
  let tiles = (params.inWidth + 3u) / 4u;
  let ci = (i % groups) * 4u;
  let rest = i / groups;
  let ix0 = (rest % tiles) * 4u;
  let row = rest / tiles; // b * inHeight + iy
  let iy = row % params.inHeight;
  let b = row / params.inHeight;
  // Weight rows ci..ci+3 (input channels), clamped so that lanes past inChannels still read inside.
  let last = params.inChannels - 1u;
  let chans = vec4u(ci, min(ci + 1u, last), min(ci + 2u, last), min(ci + 3u, last));
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
  store(row * params.inWidth + ix0, ci, acc0);
  if (ix0 + 1u < params.inWidth) {
    store(row * params.inWidth + ix0 + 1u, ci, acc1);
  }
  if (ix0 + 2u < params.inWidth) {
    store(row * params.inWidth + ix0 + 2u, ci, acc2);
  }
  if (ix0 + 3u < params.inWidth) {
    store(row * params.inWidth + ix0 + 3u, ci, acc3);
  }
}

// Writes input channels ci..ci+3 of one dx cell ((b * inHeight + iy) * inWidth + ix), skipping
// channels past inChannels.
fn store(cell: u32, ci: u32, v: vec4f) {
  let at = cell * params.inChannels + ci;
  dx[at] = v.x;
  if (ci + 1u < params.inChannels) {
    dx[at + 1u] = v.y;
  }
  if (ci + 2u < params.inChannels) {
    dx[at + 2u] = v.z;
  }
  if (ci + 3u < params.inChannels) {
    dx[at + 3u] = v.w;
  }
}
