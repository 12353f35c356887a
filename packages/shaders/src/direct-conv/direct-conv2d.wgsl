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
// Dispatch: 1-D, one invocation per 8 x 8 block of (output columns x output channels) of one
// output row: count = batch * outHeight * ceil(outWidth / 8) * ceil(outChannels / 8)
// (directConv2dInvocations), ceil(count / WORKGROUP_SIZE) workgroups folded past 65,535. Each
// loaded input value is used 8 times and each loaded weight 8 times: SwiftShader runs every load
// of a per-invocation address lane by lane, so loads, not multiply-adds, bound this kernel there.
// Against the 4 x 4 block the other direct kernels use (conv-block.wgsl), the 8 x 8 block was
// 1.5-1.7x faster on the MNIST CNN's conv2 / conv3 in headless Chromium (SwiftShader) and on
// lavapipe, at batch 1 and 16; 4 x 8, 8 x 4, 4 x 16, 12 x 8 and 16 x 8 were slower, 8 x 12 and
// 8 x 16 no faster (ADR 0009, decision 9).
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

// Column k of outer(x, w) is x[k] * w: the 4 channels of w's group for output column k.
fn outer(xv: vec4f, w: vec4f) -> mat4x4f {
  return mat4x4f(xv.x * w, xv.y * w, xv.z * w, xv.w * w);
}

// The 4 weight (or bias) columns c0..c0+3 clamped to the last channel: an index every lane may read.
fn channelLanes(c0: u32, channels: u32) -> vec4u {
  return min(vec4u(c0) + vec4u(0u, 1u, 2u, 3u), vec4u(channels - 1u));
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = linearIndex(wid, lid, nwg, WORKGROUP_SIZE);
  if (i >= params.count) {
    return;
  }
  // Invocation i -> (row, tile of 8 columns, group of 8 channels), the channel group varying fastest.
  let groups = (params.outChannels + 7u) / 8u;
  let tiles = (params.outWidth + 7u) / 8u;
  let c0 = (i % groups) * 8u;
  let row = (i / groups) / tiles; // b * outHeight + oy
  let col0 = ((i / groups) % tiles) * 8u;
  let oy = row % params.outHeight;
  let b = row / params.outHeight;
  let lo = channelLanes(c0, params.outChannels); // channels c0..c0+3
  let hi = channelLanes(c0 + 4u, params.outChannels); // channels c0+4..c0+7
  let top = i32(oy * params.strideHeight) - i32(params.padTop);
  let sw = i32(params.strideWidth);
  let left0 = vec4i(i32(col0) * sw - i32(params.padLeft)) + vec4i(0, 1, 2, 3) * sw; // columns 0-3; 4-7 are 4 * sw further
  let inWidth = vec4i(i32(params.inWidth));

  // Columns 0-3 / 4-7 (A / B) x channels lo / hi: column k of a matrix holds output column k's 4 channels.
  var loA = mat4x4f();
  var hiA = mat4x4f();
  var loB = mat4x4f();
  var hiB = mat4x4f();
  for (var ky = 0u; ky < params.filterHeight; ky++) {
    let iy = top + i32(ky);
    if (iy < 0 || iy >= i32(params.inHeight)) {
      continue;
    }
    let rowBase = vec4u((b * params.inHeight + u32(iy)) * params.inWidth);
    for (var kx = 0u; kx < params.filterWidth; kx++) {
      let ixA = left0 + vec4i(i32(kx));
      let ixB = ixA + vec4i(4 * sw);
      let insideA = (ixA >= vec4i(0)) & (ixA < inWidth);
      let insideB = (ixB >= vec4i(0)) & (ixB < inWidth);
      let xA = (rowBase + vec4u(clamp(ixA, vec4i(0), inWidth - 1))) * params.inChannels;
      let xB = (rowBase + vec4u(clamp(ixB, vec4i(0), inWidth - 1))) * params.inChannels;
      var wBase = (ky * params.filterWidth + kx) * params.inChannels * params.outChannels;
      for (var ci = 0u; ci < params.inChannels; ci++) {
        let wLo = vec4f(weights[wBase + lo.x], weights[wBase + lo.y], weights[wBase + lo.z], weights[wBase + lo.w]);
        let wHi = vec4f(weights[wBase + hi.x], weights[wBase + hi.y], weights[wBase + hi.z], weights[wBase + hi.w]);
        let vA = select(vec4f(0.0), vec4f(x[xA.x + ci], x[xA.y + ci], x[xA.z + ci], x[xA.w + ci]), insideA);
        let vB = select(vec4f(0.0), vec4f(x[xB.x + ci], x[xB.y + ci], x[xB.z + ci], x[xB.w + ci]), insideB);
        loA += outer(vA, wLo);
        hiA += outer(vA, wHi);
        loB += outer(vB, wLo);
        hiB += outer(vB, wHi);
        wBase += params.outChannels;
      }
    }
  }
  var shiftLo = vec4f(0.0);
  var shiftHi = vec4f(0.0);
  if (params.hasBias == 1u) {
    shiftLo = vec4f(bias[lo.x], bias[lo.y], bias[lo.z], bias[lo.w]);
    shiftHi = vec4f(bias[hi.x], bias[hi.y], bias[hi.z], bias[hi.w]);
  }
  let cell = row * params.outWidth + col0;
  storeColumns(cell, col0, c0, loA, hiA, shiftLo, shiftHi);
  storeColumns(cell + 4u, col0 + 4u, c0, loB, hiB, shiftLo, shiftHi);
}

// Writes 4 columns (col..col+3, from cell) x 8 channels (c0..c0+7) after the bias and activation,
// skipping columns past outWidth and channels past outChannels (storeCell, conv-block.wgsl).
fn storeColumns(cell: u32, col: u32, c0: u32, lo: mat4x4f, hi: mat4x4f, shiftLo: vec4f, shiftHi: vec4f) {
  for (var k = 0u; k < 4u; k++) {
    if (col + k >= params.outWidth) {
      return;
    }
    storeCell(cell + k, c0, params.outChannels, activate(lo[k] + shiftLo, params.activation, 0.0));
    if (c0 + 4u < params.outChannels) {
      storeCell(cell + k, c0 + 4u, params.outChannels, activate(hi[k] + shiftHi, params.activation, 0.0));
    }
  }
}

fn writeOutput(at: u32, value: f32) {
  y[at] = value;
}
