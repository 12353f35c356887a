// colormap-apply.wgsl
//
// Maps each attribution value to a colour of a 256-entry LUT (matplotlib's colormaps, see
// luts.generated.ts): out[i] = lut[index(values[i])], packed RGBA8 (pack4x8unorm layout).
// Index as matplotlib's Colormap.__call__: floor(t * 256) clamped to [0, 255], where
//   sign both:      t = (v + clip) / (2 clip)  ->  index = floor(v * scale) + 128, scale = 128 / clip
//   otherwise:      t = s(v) / clip           ->  index = floor(s(v) * scale),     scale = 256 / clip
// with s from sign.wgsl. `scale` is an f32 computed on the CPU (colormapScale); clip 0 gives scale 0.
// `reversed` flips the index (matplotlib's `_r` maps).
//
// Dispatch: 1-D, one invocation per element, ceil(count / WORKGROUP_SIZE) workgroups folded past
// 65,535.
// Numerics: the index is floor of one correctly rounded f32 multiply, clamped in f32 before the
// integer conversion; the CPU reference reproduces it with Math.fround, so colours match exactly
// (tolerance 0; the issue allows 1 LSB).

override WORKGROUP_SIZE: u32;

struct Params {
  count: u32,
  sign: u32,
  scale: f32,
  reversed: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> values: array<f32>;
@group(0) @binding(2) var<storage, read> lut: array<u32>;
@group(0) @binding(3) var<storage, read_write> colors: array<u32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = linearIndex(wid, lid, nwg, WORKGROUP_SIZE);
  if (i >= params.count) {
    return;
  }
  let v = values[i];
  var k: f32;
  if (params.sign == SIGN_BOTH) {
    k = clamp(floor(v * params.scale), -128.0, 127.0) + 128.0;
  } else {
    k = clamp(floor(signedMagnitude(v, params.sign) * params.scale), 0.0, 255.0);
  }
  var index = u32(k);
  if (params.reversed != 0u) {
    index = 255u - index;
  }
  colors[i] = lut[index];
}
