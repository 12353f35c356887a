// path-batch.wgsl — the path plan and batch geometry of the gradient-path kernels (a snippet):
// ig-path-points, ig-accumulate, blur-ig-accumulate.
//
// Image i owns plan points [i * pointsPerImage, (i + 1) * pointsPerImage); a batch holds points
// [firstPoint, firstPoint + pointCount), which may span several images and cut the first and last.

// One point of the packed plan (path-plan.ts writes it: 3 x 4 bytes).
struct PathPoint {
  alpha: f32,
  weight: f32,
  baselineRow: u32,
}

// (first image the batch touches, how many images it touches); pointCount >= 1.
fn batchImages(firstPoint: u32, pointCount: u32, pointsPerImage: u32) -> vec2u {
  let first = firstPoint / pointsPerImage;
  let last = (firstPoint + pointCount - 1u) / pointsPerImage;
  return vec2u(first, last - first + 1u);
}

// The batch's points of `image`: [x, y) in plan indices.
fn batchPointsOf(image: u32, firstPoint: u32, pointCount: u32, pointsPerImage: u32) -> vec2u {
  return vec2u(max(firstPoint, image * pointsPerImage), min(firstPoint + pointCount, (image + 1u) * pointsPerImage));
}
