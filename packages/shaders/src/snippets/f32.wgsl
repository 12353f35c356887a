// f32.wgsl — f32 constants and predicates (a snippet: kernels list it in `includes`).
//
// F32_MAX is the largest finite f32, the start of a running minimum (-F32_MAX of a maximum).
// isNan (and isNan4, per lane) tests the bit pattern, not a comparison: WGSL lets implementations
// assume there is no NaN, so `x != x` may be folded to false.

const F32_MAX: f32 = 3.4028234e38;

fn isNan(x: f32) -> bool {
  return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u;
}

fn isNan4(v: vec4f) -> vec4<bool> {
  return (bitcast<vec4u>(v) & vec4u(0x7fffffffu)) > vec4u(0x7f800000u);
}
