// affine-sample-adjoint.wgsl
//
// The transpose of affine-sample (without its constant fill term):
//   gsrc[n, py, px, ch] = sum over output pixels q = (x, y) of
//                         max(0, 1 - |sx(q) - px|) * max(0, 1 - |sy(q) - py|) * g[n, y, x, ch]
// with (sx, sy)(q) = affineSource(n, x, y) (affine-map.wgsl), gathered per source pixel (no atomics)
// by footprintBlockSums (affine-footprint.wgsl; shared with affine-fourier-adjoint.wgsl), 4
// channels at a time, for a 2 x 2 block of source pixels whose gathers share their candidates. Two choices make it several times faster on software adapters (lavapipe) than scanning
// every output pixel the footprint's bounding box holds with a read-modify-write of the output per
// candidate (its first form, session 6-9): only the candidates the footprint can reach are scanned,
// and the sum runs in registers, written once.
//
// Dispatch: one invocation per 2 x 2 block of source pixels (n, 2 by .. 2 by + 1, 2 bx .. 2 bx + 1),
// 1-D, folded (linearIndex); a block past an odd last row or column writes only its pixels inside. transforms is
// [n][6] f32, the forward pass's buffer; the map must be invertible (checked on the CPU).
// Numerics: tolerance abs 1e-4 + rel 1e-5 (affine-sample-adjoint.kernel.ts).

override WORKGROUP_SIZE: u32;

struct Params {
  images: u32,
  srcHeight: u32,
  srcWidth: u32,
  outHeight: u32,
  outWidth: u32,
  channels: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> grad: array<f32>;
@group(0) @binding(2) var<storage, read> transforms: array<vec2f>; // [n][6] floats as [n][3] vec2 (affine-map.wgsl)
@group(0) @binding(3) var<storage, read_write> gradSrc: array<f32>;

// The gradient g (channels c0 .. c0 + width) of source pixel (n, y, x), dropped past the source's edge.
fn storePixel(n: u32, y: u32, x: u32, c0: u32, width: u32, g: vec4f) {
  if (x >= params.srcWidth || y >= params.srcHeight) {
    return;
  }
  let at = ((n * params.srcHeight + y) * params.srcWidth + x) * params.channels + c0;
  for (var k = 0u; k < width; k++) {
    gradSrc[at + k] = g[k];
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let corner = sourceBlock(linearIndex(wid, lid, nwg, WORKGROUP_SIZE), params.images, params.srcHeight, params.srcWidth);
  if (corner.x >= params.images) {
    return;
  }
  let C = params.channels;
  let n = corner.x;
  let x = corner.y;
  let y = corner.z;
  for (var c0 = 0u; c0 < C; c0 += 4u) {
    let width = min(4u, C - c0);
    let g = footprintBlockSums(n, f32(x), f32(y), params.outHeight, params.outWidth, C, c0, width);
    storePixel(n, y, x, c0, width, g.s00);
    storePixel(n, y, x + 1u, c0, width, g.s10);
    storePixel(n, y + 1u, x, c0, width, g.s01);
    storePixel(n, y + 1u, x + 1u, c0, width, g.s11);
  }
}
