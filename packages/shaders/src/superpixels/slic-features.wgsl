// slic-features.wgsl
//
// SLIC's colour features: CIELAB (D65, as skimage.color.rgb2lab, which skimage's slic uses by
// default) quantized to integers so that the rest of SLIC is exact integer arithmetic:
//   features[p] = (round(2 L), round(2 a) + 256, round(2 b) + 256), clamped to [0, 511].
// Input: an HWC f32 image, mapped to [0, 1] by (v - low) * scale and clamped. 1 channel: grey,
// L from the value (a = b = 0); 3 or more channels: RGB (extra channels ignored).
//
// Dispatch: 1-D, one invocation per pixel, ceil(pixels / WORKGROUP_SIZE) workgroups folded past
// 65,535. Numerics: pow/cbrt in f32 (a few ulp); after quantization to half Lab units a value
// within ~1e-4 of a rounding boundary may differ by 1 from the f64 reference (tolerance abs 1).

override WORKGROUP_SIZE: u32;

struct Params {
  pixels: u32,
  channels: u32,
  low: f32,
  scale: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> image: array<f32>;
@group(0) @binding(2) var<storage, read_write> features: array<u32>;

fn linearize(c: f32) -> f32 {
  if (c <= 0.04045) {
    return c / 12.92;
  }
  return pow((c + 0.055) / 1.055, 2.4);
}

fn labF(t: f32) -> f32 {
  if (t > 0.008856) {
    return pow(t, 1.0 / 3.0);
  }
  return 7.787 * t + 16.0 / 116.0;
}

fn quantize(v: f32, offset: f32) -> u32 {
  return u32(clamp(round(2.0 * v) + offset, 0.0, 511.0));
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let p = linearIndex(wid, lid, nwg, WORKGROUP_SIZE);
  if (p >= params.pixels) {
    return;
  }
  let base = p * params.channels;
  var lab = vec3f(0.0, 0.0, 0.0);
  if (params.channels < 3u) {
    let v = clamp((image[base] - params.low) * params.scale, 0.0, 1.0);
    lab = vec3f(116.0 * labF(linearize(v)) - 16.0, 0.0, 0.0);
  } else {
    let r = linearize(clamp((image[base] - params.low) * params.scale, 0.0, 1.0));
    let g = linearize(clamp((image[base + 1u] - params.low) * params.scale, 0.0, 1.0));
    let b = linearize(clamp((image[base + 2u] - params.low) * params.scale, 0.0, 1.0));
    let x = (0.412453 * r + 0.357580 * g + 0.180423 * b) / 0.95047;
    let y = 0.212671 * r + 0.715160 * g + 0.072169 * b;
    let z = (0.019334 * r + 0.119193 * g + 0.950227 * b) / 1.08883;
    let fx = labF(x);
    let fy = labF(y);
    let fz = labF(z);
    lab = vec3f(116.0 * fy - 16.0, 500.0 * (fx - fy), 200.0 * (fy - fz));
  }
  features[p * 3u] = quantize(lab.x, 0.0);
  features[p * 3u + 1u] = quantize(lab.y, 256.0);
  features[p * 3u + 2u] = quantize(lab.z, 256.0);
}
