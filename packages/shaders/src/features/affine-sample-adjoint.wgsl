// affine-sample-adjoint.wgsl
//
// The transpose of affine-sample (without its constant fill term):
//   gsrc[n, py, px, ch] = sum over output pixels q = (x, y) of
//                         max(0, 1 - |sx(q) - px|) * max(0, 1 - |sy(q) - py|) * g[n, y, x, ch]
// with (sx, sy)(q) = affineSource(n, x, y) (affine-map.wgsl), gathered per source pixel (no atomics)
// by footprintSum (affine-footprint.wgsl; shared with affine-fourier-adjoint.wgsl), 4 channels at a
// time. Two choices make it several times faster on software adapters (lavapipe) than scanning
// every output pixel the footprint's bounding box holds with a read-modify-write of the output per
// candidate (its first form, session 6-9): only the candidates the footprint can reach are scanned,
// and the sum runs in registers, written once.
//
// Dispatch: one invocation per source pixel (n, py, px); 1-D, folded (linearIndex). transforms is
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
@group(0) @binding(2) var<storage, read> transforms: array<f32>;
@group(0) @binding(3) var<storage, read_write> gradSrc: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = linearIndex(wid, lid, nwg, WORKGROUP_SIZE);
  let pixels = params.srcHeight * params.srcWidth;
  if (i >= params.images * pixels) {
    return;
  }
  let C = params.channels;
  let n = i / pixels;
  let px = f32((i % pixels) % params.srcWidth);
  let py = f32((i % pixels) / params.srcWidth);
  for (var c0 = 0u; c0 < C; c0 += 4u) {
    let width = min(4u, C - c0);
    let sum = footprintSum(n, px, py, params.outHeight, params.outWidth, C, c0, width);
    for (var k = 0u; k < width; k++) {
      gradSrc[i * C + c0 + k] = sum[k];
    }
  }
}
