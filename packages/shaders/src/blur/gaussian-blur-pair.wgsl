// gaussian-blur-pair.wgsl
//
// gaussian-blur-axis.wgsl for two plans at once (Blur IG: each path point at sigma_t and its
// neighbour at sigma_t + gradStep, same source row): output p of plan a and output p of plan b in
// one invocation. Plan b's entries follow plan a's in the packed plan, `aheadOffset` further on.
//   AXIS 0 (SOURCE_FROM_PLAN): both read the source row of plan a's entry, one load per tap for both
//     sums (packBlurPairPlan packs one list of source rows for both plans);
//   AXIS 1: output reads input[p], outputAhead reads inputAhead[p] (the first pass's two outputs).
// The two kernels' weights are interleaved (packBlurPairPlan's pairWeights): one load per tap for both.
// Each sum takes the same products in the same order as gaussian-blur-axis's (its in-image taps,
// k ascending, f32): the loop runs over the union of the two tap ranges and a sum adds only its own
// taps, so every output has the bits gaussian-blur-axis gives it (the parity test compares them).
//
// Dispatch: 1-D, one invocation per output value of one plan (pointCount * height * width * channels).
// Numerics: as gaussian-blur-axis: (2r + 2) u * max |x| per output.

override WORKGROUP_SIZE: u32;
override AXIS: u32 = 0u;
override SOURCE_FROM_PLAN: u32 = 1u;

struct Params {
  height: u32,
  width: u32,
  channels: u32,
  pointCount: u32,
  firstPoint: u32,
  stride: u32, // taps per half kernel in `weights`
  aheadOffset: u32, // plan b's entry t sits at aheadOffset + t in `plan`
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> plan: array<BlurPoint>;
@group(0) @binding(2) var<storage, read> weights: array<vec2f>; // (plan a's, plan b's) weight per tap
@group(0) @binding(3) var<storage, read> input: array<f32>;
@group(0) @binding(4) var<storage, read> inputAhead: array<f32>;
@group(0) @binding(5) var<storage, read_write> output: array<f32>;
@group(0) @binding(6) var<storage, read_write> outputAhead: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let imageSize = params.height * params.width * params.channels;
  let i = linearIndex(wid, lid, nwg, WORKGROUP_SIZE);
  if (i >= params.pointCount * imageSize) {
    return;
  }
  let p = i / imageSize;
  let within = i - p * imageSize;
  let t = params.firstPoint + p;
  let a = plan[t];
  let b = plan[params.aheadOffset + t];
  var row = p;
  if (SOURCE_FROM_PLAN == 1u) {
    row = a.sourceRow;
  }
  let center = row * imageSize + within;
  let kernel = t * params.stride;
  let spot = blurSpot(within, params.height, params.width, params.channels, AXIS);
  // Each plan's in-image taps (gaussian-blur-axis's range), and the loop over their union.
  let tapsA = inImageTaps(a.radius, spot);
  let tapsB = inImageTaps(b.radius, spot);
  var sumA = 0.0;
  var sumB = 0.0;
  if (all(tapsA == tapsB)) {
    // The usual case (both kernels reach past the image, or have one radius): no per-tap range tests.
    for (var k = tapsA.x; k <= tapsA.y; k++) {
      let offset = u32(i32(center) + k * i32(spot.step));
      let valueA = input[offset];
      var valueB = valueA;
      if (SOURCE_FROM_PLAN == 0u) {
        valueB = inputAhead[offset];
      }
      let w = weights[kernel + u32(abs(k))];
      sumA += w.x * valueA;
      sumB += w.y * valueB;
    }
  } else {
    for (var k = min(tapsA.x, tapsB.x); k <= max(tapsA.y, tapsB.y); k++) {
      let offset = u32(i32(center) + k * i32(spot.step));
      let valueA = input[offset];
      var valueB = valueA;
      if (SOURCE_FROM_PLAN == 0u) {
        valueB = inputAhead[offset];
      }
      let w = weights[kernel + u32(abs(k))];
      if (k >= tapsA.x && k <= tapsA.y) {
        sumA += w.x * valueA;
      }
      if (k >= tapsB.x && k <= tapsB.y) {
        sumB += w.y * valueB;
      }
    }
  }
  output[i] = sumA;
  outputAhead[i] = sumB;
}
