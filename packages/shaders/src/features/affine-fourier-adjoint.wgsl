// affine-fourier-adjoint.wgsl
//
// affine-sample-adjoint then fourier-image-adjoint in one pass: the backward half of a
// visualizeFeature step without penalties, whose gradient with respect to the image is read only
// by the latter. For each pixel (n, y, x) of the optimised images [images, height, width, c]:
//   g[ch] = the footprint gather at (n, y, x)                (affine-footprint.wgsl: the image gradient)
//   p[i]  = factor * sum_ch M[i, ch] g[ch] s[ch] (1 - s[ch])  (s = image[n, y, x, :], M = m0..m8)
//   pairs[plane row r = (n c + i) height + y, column x] = p[i]   (packed two rows per pair,
//                                                               [ceil(rows / 2), 2, width], [re | im])
// the values fourier-image-adjoint.wgsl computes from affine-sample-adjoint's output, without
// writing and re-reading that [n, h, w, c] gradient and without the dispatch between. When the
// plane-row count is odd the last row's invocations also zero the missing row (the imaginary half
// of the last pair), as fourier-image-adjoint does.
//
// Dispatch: one invocation per 2 x 2 block of image pixels (n, 2 by .. 2 by + 1, 2 bx .. 2 bx + 1),
// on the grid [ceil(blocksWide / WORKGROUP_SIZE), blocksHigh, images] (gridBlock,
// affine-fourier-pixel.wgsl), whose four gathers share their candidates (footprintBlockSums); a
// block past the image's odd last row or column writes only its pixels inside. Channels 1 or 3.
// `grad` [images, view.outHeight, view.outWidth, c] is the gradient with respect to what the model
// saw, `transforms` [images][6] the forward maps (invertible, checked on the CPU), `image` the
// sigmoid's output at view.imageStride floats per pixel (c packed, 4 padded). Tolerance:
// affine-fourier-adjoint.kernel.ts.

// Params (sizes, factor, m0..m8) come from fourier-params.wgsl; View, the other bindings,
// gridBlock, gatherBlock (which calls storeBlock, below) and pixelRows from affine-fourier-pixel.wgsl
// (includes; gridBlock reads this WORKGROUP_SIZE).

override WORKGROUP_SIZE: u32;

@group(0) @binding(5) var<storage, read_write> pairs: array<f32>;

// Where plane row r's column x lives in the packed pairs.
fn pairsIndex(r: u32, x: u32) -> u32 {
  return (r / 2u) * 2u * params.width + (r % 2u) * params.width + x;
}

// The pixel (n, y, x)'s share of pairs from its image gradient g (nothing past the image's edge).
// Written out per channel, not looped over c: SwiftShader (Chromium's software WebGPU) unrolls no
// loop, and with the loop this kernel took ~1.6x the time (session 15, ADR 0009).
fn storePixel(n: u32, y: u32, x: u32, g: vec4f) {
  if (!EVEN_IMAGE) {
    if (x >= params.width || y >= params.height) {
      return;
    }
  }
  let c = imageChannels();
  let p = pixelRows(n, y, x, g);
  let r0 = n * c * params.height + y; // channel i's plane row: r0 + i height
  pairs[pairsIndex(r0, x)] = p.x;
  if (c > 1u) { // c is 1 or 3
    pairs[pairsIndex(r0 + params.height, x)] = p.y;
    pairs[pairsIndex(r0 + 2u * params.height, x)] = p.z;
  }
  // Only the pixel's last channel can hold the last plane row (never at even heights).
  if (!EVEN_IMAGE) {
    let rows = params.images * c * params.height;
    let last = r0 + (c - 1u) * params.height;
    if (last + 1u == rows && last % 2u == 0u) {
      pairs[pairsIndex(last + 1u, x)] = 0.0;
    }
  }
}

// The block's four pixels (gatherBlock's corner = (n, x, y) and gradients g).
fn storeBlock(corner: vec3u, g: BlockSums) {
  let n = corner.x;
  let x = corner.y;
  let y = corner.z;
  storePixel(n, y, x, g.s00);
  storePixel(n, y, x + 1u, g.s10);
  storePixel(n, y + 1u, x, g.s01);
  storePixel(n, y + 1u, x + 1u, g.s11);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  gatherBlock(gridBlock(wid, lid));
}
