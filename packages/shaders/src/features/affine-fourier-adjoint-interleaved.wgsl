// affine-fourier-adjoint-interleaved.wgsl
//
// affine-fourier-adjoint.wgsl with the packed plane-row gradients written interleaved: pairs[k, x]
// = (row 2k, row 2k + 1) at column x, [rows / 2, width] vec2, the layout fft-whole's row FFT reads
// with one vec2 load per value (FftRun.srcLayout 'interleaved'). For even heights (so an even row
// count, no missing last row): a 2 x 2 block's rows y (even) and y + 1 of a plane are then one
// pair's real and imaginary rows, and the block stores one vec2 per channel and column instead of
// two floats (6 vector stores per block at 3 channels, not 12 scalar ones; lavapipe's cost follows
// the count of stores, session 23). The same values as affine-fourier-adjoint (pixelRows), bit for
// bit; dispatch, bindings and tolerance as its.

// Params (sizes, factor, m0..m8) come from fourier-params.wgsl; View, the other bindings,
// gridBlock, gatherBlock (which calls storeBlock, below) and pixelRows from affine-fourier-pixel.wgsl
// (includes; gridBlock reads this WORKGROUP_SIZE).

override WORKGROUP_SIZE: u32;

@group(0) @binding(5) var<storage, read_write> pairs: array<vec2f>;

// Column x of the block's rows y (even) and y + 1 of image n from their pixels' image gradients
// (`top`, `bottom`): channel i's pair (n c height + y) / 2 + i height / 2 (nothing past the image's
// odd last column). Written out per channel as affine-fourier-adjoint's storePixel (why: there).
fn storeColumn(n: u32, y: u32, x: u32, top: vec4f, bottom: vec4f) {
  if (!EVEN_IMAGE) {
    if (x >= params.width) {
      return;
    }
  }
  let upper = pixelRows(n, y, x, top);
  let lower = pixelRows(n, y + 1u, x, bottom);
  let c = imageChannels();
  let k0 = (n * c * params.height + y) / 2u;
  let planePairs = params.height / 2u;
  pairs[k0 * params.width + x] = vec2f(upper.x, lower.x);
  if (c > 1u) { // c is 1 or 3
    pairs[(k0 + planePairs) * params.width + x] = vec2f(upper.y, lower.y);
    pairs[(k0 + 2u * planePairs) * params.width + x] = vec2f(upper.z, lower.z);
  }
}

// The block's two columns (gatherBlock's corner = (n, x, y) and gradients g; y is even).
fn storeBlock(corner: vec3u, g: BlockSums) {
  let n = corner.x;
  let x = corner.y;
  let y = corner.z;
  storeColumn(n, y, x, g.s00, g.s01);
  storeColumn(n, y, x + 1u, g.s10, g.s11);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  gatherBlock(gridBlock(wid, lid));
}
