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
// The activation and whether there is a bias are override constants (conv-output8.wgsl's ACTIVATION
// and HAS_BIAS: one pipeline per variant, directConv2dFor), not uniforms: SwiftShader runs the work
// of a uniform-selected branch in every invocation, dead or not (ADR 0009). As override constants
// they cost nothing: MNIST's relu + bias convolutions (conv1 / conv2 / conv3, batch 1, headless
// Chromium, per-dispatch timestamps, medians of 61) took 1.01-1.04 / 1.47-1.50 / 2.83-2.96 ms instead
// of 1.19-1.21 / 1.59-1.64 / 2.86-3.06 ms (4 of 5 alternating runs at load 5.2-5.6; the fifth ran
// slower on both sides), with bit-identical results.
//
// Why this shape: software adapters (SwiftShader, lavapipe) run a workgroup's invocations on CPU
// threads and emulate workgroupBarrier(), which makes tiled matmul convolutions (tfjs's Conv2DMM and
// im2col + matmul) slow there (docs/decisions/0009). Here every invocation works alone.
//
// Dispatch: 1-D, one invocation per 8 x 8 block of (output columns x output channels) of one
// output row (conv-block8.wgsl): count = batch * outHeight * ceil(outWidth / 8) *
// ceil(outChannels / 8) (directConv2dInvocations), ceil(count / WORKGROUP_SIZE) workgroups folded
// past 65,535. Every loaded input value and every loaded weight is used 8 times. For a column
// stride of 1 and filters up to 5 wide, direct-conv2d-slide.wgsl loads each input cell once per
// (ky, ci) instead of once per kx (directConv2dFor picks it on SwiftShader).
// Out-of-range lanes read clamped, valid addresses: input cells in the padding are replaced by 0
// with select (never multiplied by a mask: 0 * inf would be NaN), and columns or channels past the
// output's edge are never written.
// Numerics: f32 products summed in (ky, kx, ci) order, the bias added last: tolerance abs 1e-5,
// rel 1e-4 against the f64 reference (sums of up to a few thousand terms).

override WORKGROUP_SIZE: u32;

@group(0) @binding(0) var<uniform> params: ConvGeometry; // conv-geometry.wgsl
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> weights: array<f32>;
// Read only when HAS_BIAS (bind any storage buffer otherwise).
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> y: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = linearIndex(wid, lid, nwg, WORKGROUP_SIZE);
  if (i >= params.count) {
    return;
  }
  let work = convBlock8(i, params.outWidth, params.outChannels);
  let oy = work.row % params.outHeight; // work.row = b * outHeight + oy
  let b = work.row / params.outHeight;
  let top = i32(oy * params.strideHeight) - i32(params.padTop);
  let sw = i32(params.strideWidth);
  let left0 = vec4i(i32(work.col0) * sw - i32(params.padLeft)) + vec4i(0, 1, 2, 3) * sw; // columns 0-3; 4-7 are 4 * sw further
  let inWidth = vec4i(i32(params.inWidth));

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
        let wLo = vec4f(weights[wBase + work.lo.x], weights[wBase + work.lo.y], weights[wBase + work.lo.z], weights[wBase + work.lo.w]);
        let wHi = vec4f(weights[wBase + work.hi.x], weights[wBase + work.hi.y], weights[wBase + work.hi.z], weights[wBase + work.hi.w]);
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
  storeOutput8(work, params.outWidth, params.outChannels, loA, hiA, loB, hiB);
}

fn writeOutput(at: u32, value: f32) {
  y[at] = value;
}
