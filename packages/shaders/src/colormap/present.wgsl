// present.wgsl
//
// Draws a packed RGBA8 picture (heatmap-blend's output) into a render target of the same size, e.g. a
// WebGPU canvas texture: one full-screen triangle; the fragment at pixel (x, y) returns
// unpack4x8unorm(pixels[y * width + x]). Not a compute kernel (no prelude, entry points vs / fs).
// Numerics: k / 255 stored into an 8-bit unorm target rounds back to k: exact.

struct Params {
  width: u32,
  height: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> pixels: array<u32>;

@vertex
fn vs(@builtin(vertex_index) i: u32) -> @builtin(position) vec4f {
  let uv = vec2f(f32((i << 1u) & 2u), f32(i & 2u));
  return vec4f(uv * 2.0 - 1.0, 0.0, 1.0);
}

@fragment
fn fs(@builtin(position) p: vec4f) -> @location(0) vec4f {
  let x = min(u32(p.x), params.width - 1u);
  let y = min(u32(p.y), params.height - 1u);
  return unpack4x8unorm(pixels[y * params.width + x]);
}
