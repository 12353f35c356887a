// affine-fourier-pixel.wgsl — what affine-fourier-adjoint.wgsl and affine-fourier-adjoint-interleaved.wgsl
// share (ADR 0006 include): the View uniform, the bindings but `pairs` (whose type is the layout's),
// gridBlock, an invocation's 2 x 2 block on the kernels' grid (reads the including kernel's
// WORKGROUP_SIZE, naming convention), gatherBlock, the block's image gradients handed to the
// including kernel's storeBlock (call-back convention, ADR 0006), and pixelRows, a pixel's values
// of its plane rows. Params (sizes, factor, m0..m8) come from fourier-params.wgsl.

// imageStride: the floats per pixel of `image` (c packed, 4 padded: fft-plan.ts's ImageLayout).
struct View {
  outHeight: u32,
  outWidth: u32,
  imageStride: u32,
}

// The image's channel count when known at pipeline creation (affineFourierAdjointFor), 0: the
// uniform's; EVEN_IMAGE: its height and width are even, so no 2 x 2 block hangs over its edge and
// the plane-row count is even. As constants they fold the per-channel branches and the edge guards
// away: SwiftShader runs every branch's work under a mask whether or not a lane takes it, and the two
// together took affine-fourier-adjoint to ~0.79x at 128 x 128 x 3 (session 27, the same bits).
override CHANNELS: u32 = 0u;
override EVEN_IMAGE: bool = false;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<uniform> view: View;
@group(0) @binding(2) var<storage, read> grad: array<f32>;
@group(0) @binding(3) var<storage, read> transforms: array<vec2f>; // [n][6] floats as [n][3] vec2 (affine-map.wgsl)
@group(0) @binding(4) var<storage, read> image: array<f32>;

// The pixel (n, y, x)'s values p[i] = factor * M[i, :] . (g s (1 - s)) of plane rows r0 + i height
// (r0 = n c height + y, i < c; lanes past c are 0) from its image gradient g. The rows are spelled
// out (mixRow(k) measured slower on SwiftShader, session 15).
fn pixelRows(n: u32, y: u32, x: u32, g: vec4f) -> vec3f {
  let c = imageChannels();
  let at = ((n * params.height + y) * params.width + x) * view.imageStride;
  let s = vec3f(image[at], select(0.0, image[at + 1u], c > 1u), select(0.0, image[at + 2u], c > 2u));
  let pre = g.xyz * s * (1.0 - s); // lanes past c are 0 (g's and s's), so M's unused entries never count
  let p0 = params.factor * dot(vec3f(params.m0, params.m1, params.m2), pre);
  if (c == 1u) { // c is 1 or 3
    return vec3f(p0, 0.0, 0.0);
  }
  let p1 = params.factor * dot(vec3f(params.m3, params.m4, params.m5), pre);
  let p2 = params.factor * dot(vec3f(params.m6, params.m7, params.m8), pre);
  return vec3f(p0, p1, p2);
}

// The image's channel count: CHANNELS, or the uniform's when that is 0. A branch on the constant,
// not a select (which measured ~4% slower on SwiftShader: it kept the uniform's load).
fn imageChannels() -> u32 {
  if (CHANNELS != 0u) {
    return CHANNELS;
  }
  return params.channels;
}

// The 2 x 2 block of image pixels whose top-left pixel (n, x, y) is `corner` (n < images, y <
// height; x may lie past the last block: nothing then): their image gradients, whose four gathers
// share their candidates (footprintBlockSums), go to storeBlock, which writes the block's plane
// rows into `pairs`.
fn gatherBlock(corner: vec3u) {
  if (corner.y >= params.width) {
    return;
  }
  let c = imageChannels();
  storeBlock(corner, footprintBlockSums(corner.x, f32(corner.y), f32(corner.z), view.outHeight, view.outWidth, c, 0u, c));
}

// The top-left pixel (n, x, y) of invocation lid.x's block in workgroup wid of the grid
// [ceil(blocksWide / WORKGROUP_SIZE), blocksHigh, images] (affine-fourier-adjoint.kernel.ts): the
// block column from the invocation, the block row and image from the workgroup. Not a 1-D dispatch
// split by sourceBlock's four divisions, which lavapipe runs lane by lane; and the image (so the
// map's six loads) is the same for the whole workgroup, an address lavapipe may load once instead
// of gathering it lane by lane (Mesa takes uniform addresses so). At 4 x 128 x 128 x 3: lavapipe
// ~0.95x of the 1-D kernel's CPU time (session 28, the same bits).
fn gridBlock(wid: vec3u, lid: vec3u) -> vec3u {
  return vec3u(wid.z, 2u * (wid.x * WORKGROUP_SIZE + lid.x), 2u * wid.y);
}
