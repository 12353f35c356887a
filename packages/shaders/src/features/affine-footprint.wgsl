// affine-footprint.wgsl
//
// The gather at the heart of affine-sample's transpose, shared by affine-sample-adjoint.wgsl and
// affine-fourier-adjoint.wgsl (so both sum exactly alike), for a 2 x 2 block of source pixels
// (px + i, py + j), i, j in {0, 1}:
//   blockSum(i, j) = sum over output pixels q = (x, y) of
//       max(0, 1 - |sx(q) - (px + i)|) * max(0, 1 - |sy(q) - (py + j)|) * grad[n, y, x, c0 .. c0 + width)
// with (sx, sy)(q) = affineSource(n, x, y) (affine-map.wgsl), in row-major candidate order.
// The candidates are the bounding box (in output pixels, clamped to the output) of the block's
// joint footprint: the q whose source lies within 1.5 pixels of the block's centre along each axis,
// a parallelogram A^-1 [-1.5, 1.5]^2 about A^-1 (centre - t), widened by SLACK against rounding.
// Each candidate's source coordinates and gradient read serve all four pixels: about 4 candidates
// per pixel (a 4 x 4 box per block at zoom ~1 and rotations <= 10 degrees) instead of ~9 for a
// per-pixel box, and no per-row bounds. On lavapipe that took the fused adjoint
// (affine-fourier-adjoint) to 0.56x of its per-pixel form (5-6 candidates from per-row interval
// bounds), where the gradient reads themselves had cost nothing measurable: the loop and the
// per-candidate work were the cost. A candidate outside a pixel's footprint weighs exactly 0 for
// it and adds +0 (gradients being finite), so each pixel's sum is the per-pixel gather's, term
// for term, in the same order.
// The sums stay in registers (4 pixels x up to 4 channels).
// Reads the including kernel's module-scope bindings `grad: array<f32>` (NHWC, [n, outHeight,
// outWidth, channels]) and `transforms: array<vec2f>` ([n][6] floats, read by affineMap) (naming convention, ADR 0006).

// How far (in pixels) outside the footprint, as computed here, a candidate may lie and still be
// scanned: the bounds round differently from affineSource, by far less than this (~1e-4 at
// coordinates of 1000), so no candidate of positive weight is skipped.
const SLACK = 0.01;

// The most channels a chunk holds: 4, or fewer for a kernel whose width never exceeds them
// (affine-fourier-adjoint: 3, or its image's channel count, 1 or 3), which then never loads a fourth
// nor sums the lanes past them. A select evaluates both operands, so the fourth load ran for every candidate;
// SwiftShader, where each is a lane-by-lane gather, spent ~18% of affine-fourier-adjoint on it
// (1.88 -> 1.55 ms at 128 x 128 x 3, session 17). The pipeline constant folds the branches away.
override CHUNK_LANES: u32 = 4u;

// grad[base + k] for k < width (<= CHUNK_LANES), zero beyond: one vector add per candidate instead
// of a loop over a dynamically indexed vector (which the compiler keeps in memory). A read past the
// end of grad is defined in WGSL (clamped or zero) and its lane is dropped by the select.
fn chunk(base: u32, width: u32) -> vec4f {
  var g = vec4f(grad[base], select(0.0, grad[base + 1u], width > 1u), select(0.0, grad[base + 2u], width > 2u), 0.0);
  if (CHUNK_LANES > 3u) {
    g.w = select(0.0, grad[base + 3u], width > 3u);
  }
  return g;
}

// Block t of a 1-D dispatch over the 2 x 2 blocks of `images` images of [height, width] source
// pixels (odd sizes: the last blocks hang over the edge): (n, x, y) of its top-left pixel, with
// n >= images for a t past the last block.
fn sourceBlock(t: u32, images: u32, height: u32, width: u32) -> vec3u {
  let blocksWide = (width + 1u) / 2u;
  let blocks = blocksWide * ((height + 1u) / 2u);
  let within = t % blocks;
  return vec3u(t / blocks, 2u * (within % blocksWide), 2u * (within / blocksWide));
}

// The gradient sums of the block's four pixels: s00 at (px, py), s10 at (px + 1, py), s01 at
// (px, py + 1), s11 at (px + 1, py + 1) (pixels past the source's edge are the caller's to drop).
struct BlockSums {
  s00: vec4f,
  s10: vec4f,
  s01: vec4f,
  s11: vec4f,
}

// The candidates [x0, x1] x [y0, y1] of the block at (px, py) of image n: the bounding box of the
// q with |A q + t - (centre)| <= 1.5 per axis, clamped to the output [outHeight, outWidth].
fn blockCandidates(n: u32, px: f32, py: f32, outHeight: u32, outWidth: u32) -> vec4i {
  let t = affineMap(n);
  let a = t.m01.x;
  let b = t.m01.y;
  let c = t.m23.y;
  let d = t.m45.x;
  let det = a * d - b * c;
  let ux = px + 0.5 - t.m23.x;
  let uy = py + 0.5 - t.m45.y;
  let centre = vec2f(d * ux - b * uy, a * uy - c * ux) / det;
  let half = 1.5 * vec2f(abs(d) + abs(b), abs(c) + abs(a)) / abs(det) + SLACK;
  let lo = max(vec2i(floor(centre - half)) + 1, vec2i(0));
  let hi = min(vec2i(ceil(centre + half)) - 1, vec2i(i32(outWidth) - 1, i32(outHeight) - 1));
  return vec4i(lo, hi);
}

// The gather above for channels [c0, c0 + width) (width <= 4) of grad's `channels`, output [outHeight, outWidth].
// One loop over the box's candidates in row-major order (x wraps to the box's next row), not a loop
// per row: SwiftShader emulates each divergent loop's control per lane, and the nested loops took
// this gather to ~1.6x (affine-fourier-adjoint 0.61x -> with one loop, 128 x 128 x 3; lavapipe 0.88x,
// session 27). The sums are kept per channel lane over the block's four pixels (l0 holds channel c0
// of s00, s10, s01, s11 in x, y, z, w): three vectors at CHUNK_LANES 3 instead of four with a dead
// lane, and one at 1 (SwiftShader ~0.94x). Each pixel's sum takes the same products in the same order
// as a per-pixel vector would: the same bits.
fn footprintBlockSums(n: u32, px: f32, py: f32, outHeight: u32, outWidth: u32, channels: u32, c0: u32, width: u32) -> BlockSums {
  let box = blockCandidates(n, px, py, outHeight, outWidth);
  let count = max(0, box.z - box.x + 1) * max(0, box.w - box.y + 1);
  var x = box.x;
  var y = box.y;
  var l0 = vec4f(0.0);
  var l1 = vec4f(0.0);
  var l2 = vec4f(0.0);
  var l3 = vec4f(0.0);
  for (var k = 0; k < count; k++) {
    let s = affineSource(n, f32(x), f32(y));
    let wx = vec2f(max(0.0, 1.0 - abs(s.x - px)), max(0.0, 1.0 - abs(s.x - (px + 1.0))));
    let wy = vec2f(max(0.0, 1.0 - abs(s.y - py)), max(0.0, 1.0 - abs(s.y - (py + 1.0))));
    let w = vec4f(wx.x * wy.x, wx.y * wy.x, wx.x * wy.y, wx.y * wy.y);
    let g = chunk(((n * outHeight + u32(y)) * outWidth + u32(x)) * channels + c0, width);
    l0 += w * g.x;
    if (CHUNK_LANES > 1u) {
      l1 += w * g.y;
    }
    if (CHUNK_LANES > 2u) {
      l2 += w * g.z;
    }
    if (CHUNK_LANES > 3u) {
      l3 += w * g.w;
    }
    let wrap = x == box.z;
    x = select(x + 1, box.x, wrap);
    y = select(y, y + 1, wrap);
  }
  return BlockSums(vec4f(l0.x, l1.x, l2.x, l3.x), vec4f(l0.y, l1.y, l2.y, l3.y), vec4f(l0.z, l1.z, l2.z, l3.z), vec4f(l0.w, l1.w, l2.w, l3.w));
}
