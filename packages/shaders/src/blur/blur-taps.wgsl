// blur-taps.wgsl — where an output value of a separable blur pass sits along its axis and which
// taps of its kernel fall inside the image (a snippet): gaussian-blur-axis; gaussian-blur-pair,
// which walks runs of outputs along a line, uses only BlurPoint.

// One entry of the packed blur plan (packBlurPlan writes it: 2 x 4 bytes).
struct BlurPoint {
  sourceRow: u32,
  radius: u32,
}

// An output value along the blurred axis: its position, the axis's length, the index distance
// between neighbouring taps.
struct BlurSpot {
  position: i32,
  extent: i32,
  step: u32,
}

// Value `within` (NHWC offset inside its image) of a pass along height (axis 0) or width (axis 1).
fn blurSpot(within: u32, height: u32, width: u32, channels: u32, axis: u32) -> BlurSpot {
  if (axis == 1u) {
    return BlurSpot(i32((within / channels) % width), i32(width), channels);
  }
  return BlurSpot(i32(within / (channels * width)), i32(height), width * channels);
}

// The taps k in [-radius, radius] at `spot` inside the image, [x, y]: the others are zero padding,
// which adds nothing (the same products in the same order as looping over all 2r + 1 and skipping
// them, so the same bits). Blur IG's widest kernels (sigma 50: r = 200) on a 28-pixel axis loop 28
// times instead of 401; on SwiftShader the skipped iterations had cost what the taps did (session 29).
fn inImageTaps(radius: u32, spot: BlurSpot) -> vec2i {
  return vec2i(max(-i32(radius), -spot.position), min(i32(radius), spot.extent - 1 - spot.position));
}
