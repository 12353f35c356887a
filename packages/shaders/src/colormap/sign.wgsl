// sign.wgsl — sign handling shared by the colormap kernels (a function library: no entry point;
// kernels list it in `includes`, see snippets/index.ts).
//
// Attribution visualisers differ in which sign they show (Captum's visualize_image_attr `sign`,
// alibi's visualize_image_attr): SIGN_POSITIVE keeps max(v, 0), SIGN_NEGATIVE keeps max(-v, 0),
// SIGN_ABSOLUTE and SIGN_BOTH use |v| as the magnitude (SIGN_BOTH additionally maps the sign onto a
// diverging colormap in colormap-apply). Exact in f32 (max, negation and abs do not round).
// Inputs must be finite: NaN and Inf are rejected before upload (CPU-range path) or counted by
// attribution-stats, which makes heatmap-params blank the picture (GPU-range path).

const SIGN_POSITIVE: u32 = 0u;
const SIGN_NEGATIVE: u32 = 1u;
const SIGN_ABSOLUTE: u32 = 2u;
const SIGN_BOTH: u32 = 3u;

fn signedMagnitude(v: f32, sign: u32) -> f32 {
  if (sign == SIGN_POSITIVE) {
    return max(v, 0.0);
  }
  if (sign == SIGN_NEGATIVE) {
    return max(-v, 0.0);
  }
  return abs(v);
}

// Histogram bin of a magnitude: floor(s * binScale) clamped to [0, bins - 1]. The clamp happens in
// f32 before the conversion, so huge products never hit the f32 -> u32 conversion's range limits.
fn magnitudeBin(s: f32, binScale: f32, bins: u32) -> u32 {
  let b = clamp(floor(s * binScale), 0.0, f32(bins - 1u));
  return u32(b);
}
