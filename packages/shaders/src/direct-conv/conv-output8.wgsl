// conv-output8.wgsl — the fused output of the forward direct-conv kernels (direct-conv2d and
// direct-conv2d-slide; ADR 0006 include, with conv-block8.wgsl and activation.wgsl): a bias per
// output channel and an activation, applied to an 8 x 8 block's sums as it is stored.
//
// The activation and whether there is a bias are override constants, not uniforms: SwiftShader runs
// the work of a uniform-selected branch in every invocation, dead or not (ADR 0009; measured in
// direct-conv2d.wgsl). The including kernel declares the `bias` binding (read only when HAS_BIAS).

// The fused activation's code (activation.wgsl); 0 (linear) unless set.
override ACTIVATION: u32 = 0u;
// Whether the bias binding is read; false unless set.
override HAS_BIAS: bool = false;

// act(m's columns + shift), column by column.
fn activated(m: mat4x4f, shift: vec4f) -> mat4x4f {
  let a = ACTIVATION;
  return mat4x4f(activate(m[0] + shift, a, 0.0), activate(m[1] + shift, a, 0.0), activate(m[2] + shift, a, 0.0), activate(m[3] + shift, a, 0.0));
}

// Stores block `work` (conv-block8.wgsl's four matrices of sums) as act(sum + bias).
fn storeOutput8(work: ConvBlock8, width: u32, channels: u32, loA: mat4x4f, hiA: mat4x4f, loB: mat4x4f, hiB: mat4x4f) {
  var shiftLo = vec4f(0.0);
  var shiftHi = vec4f(0.0);
  if (HAS_BIAS) {
    shiftLo = vec4f(bias[work.lo.x], bias[work.lo.y], bias[work.lo.z], bias[work.lo.w]);
    shiftHi = vec4f(bias[work.hi.x], bias[work.hi.y], bias[work.hi.z], bias[work.hi.w]);
  }
  storeBlock8(work, width, channels, activated(loA, shiftLo), activated(hiA, shiftHi), activated(loB, shiftLo), activated(hiB, shiftHi));
}
