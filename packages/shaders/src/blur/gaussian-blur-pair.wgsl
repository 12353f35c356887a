// gaussian-blur-pair.wgsl
//
// gaussian-blur-axis.wgsl for two plans at once (Blur IG: each path point at sigma_t and its
// neighbour at sigma_t + gradStep, same source row): outputs of plan a and of plan b in one
// invocation. Plan b's entries follow plan a's in the packed plan, `aheadOffset` further on.
//   AXIS 0 (SOURCE_FROM_PLAN): both read the source row of plan a's entry, one load per tap for both
//     sums (packBlurPairPlan packs one list of source rows for both plans);
//   AXIS 1: output reads input[p], outputAhead reads inputAhead[p] (the first pass's two outputs).
// The two kernels' weights are interleaved (packBlurPairPlan's pairWeights): one load per tap for both.
//
// An invocation computes RUN consecutive outputs along the blurred axis (a run of one line), and
// walks the line's values once for all of them: value j is loaded once and added to each output
// whose kernel reaches it. Output m of the run (position runStart + m) weighs value j by
// w[|j - runStart - m|]; the RUN weights of one j are those of j - 1 shifted by one output, so each
// step loads one new weight pair and moves the others along (on SwiftShader each load is a per-lane
// gather and costs what the arithmetic does: per output, ~1 load per tap instead of 2-3).
// Each sum still takes the same products in the same order as gaussian-blur-axis's (its in-image
// taps, k = j - position ascending, f32 multiply then add): a value outside an output's kernel is
// not added (select), so every output has the bits gaussian-blur-axis gives it (the parity test
// compares them).
//
// Dispatch: 1-D, one invocation per run of one plan: pointCount * (image values / extent) * ceil(extent / RUN).
// Numerics: as gaussian-blur-axis: (2r + 2) u * max |x| per output.

override WORKGROUP_SIZE: u32;
override AXIS: u32 = 0u;
override SOURCE_FROM_PLAN: u32 = 1u;

// Outputs per invocation (the vec4 lanes of the sums and of the weight window).
const RUN = 4u;

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

// Both kernels' weights at tap distance `distance` (either sign); past the widest radius the index
// stays in this point's kernels (the value is not added there anyway).
fn tapWeights(kernel: u32, distance: i32) -> vec2f {
  return weights[kernel + min(u32(abs(distance)), params.stride - 1u)];
}

// Offset of a line's position 0: lines run along height (axis 0: line = x * channels + c) or
// along width (axis 1: line = y * channels + c).
fn lineStart(line: u32) -> u32 {
  if (AXIS == 1u) {
    return (line / params.channels) * params.width * params.channels + line % params.channels;
  }
  return line;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let imageSize = params.height * params.width * params.channels;
  var extent = params.height;
  var pitch = params.width * params.channels;
  if (AXIS == 1u) {
    extent = params.width;
    pitch = params.channels;
  }
  let lines = imageSize / extent;
  let runsPerImage = ((extent + RUN - 1u) / RUN) * lines;
  let i = linearIndex(wid, lid, nwg, WORKGROUP_SIZE);
  if (i >= params.pointCount * runsPerImage) {
    return;
  }
  let p = i / runsPerImage;
  let rest = i - p * runsPerImage;
  let runIndex = rest / lines;
  let start = lineStart(rest - runIndex * lines);
  let t = params.firstPoint + p;
  let a = plan[t];
  let b = plan[params.aheadOffset + t];
  var row = p;
  if (SOURCE_FROM_PLAN == 1u) {
    row = a.sourceRow;
  }
  let sourceStart = row * imageSize + start;
  let kernel = t * params.stride;
  let runStart = i32(runIndex * RUN);
  let runEnd = min(runStart + i32(RUN) - 1, i32(extent) - 1);
  let reach = i32(max(a.radius, b.radius));
  let firstValue = max(0, runStart - reach);
  let lastValue = min(i32(extent) - 1, runEnd + reach);
  // Output m's weights for value j: w[|j - runStart - m|], starting at j = firstValue.
  let w0 = tapWeights(kernel, firstValue - runStart);
  let w1 = tapWeights(kernel, firstValue - runStart - 1);
  let w2 = tapWeights(kernel, firstValue - runStart - 2);
  let w3 = tapWeights(kernel, firstValue - runStart - 3);
  var weightsA = vec4f(w0.x, w1.x, w2.x, w3.x);
  var weightsB = vec4f(w0.y, w1.y, w2.y, w3.y);
  let radiusA = vec4i(i32(a.radius));
  let radiusB = vec4i(i32(b.radius));
  let outputs = vec4i(0, 1, 2, 3);
  var sumA = vec4f(0.0);
  var sumB = vec4f(0.0);
  for (var j = firstValue; j <= lastValue; j++) {
    let offset = sourceStart + u32(j) * pitch;
    let valueA = input[offset];
    var valueB = valueA;
    if (SOURCE_FROM_PLAN == 0u) {
      valueB = inputAhead[offset];
    }
    let gap = abs(vec4i(j - runStart) - outputs);
    sumA = select(sumA, sumA + weightsA * valueA, gap <= radiusA);
    sumB = select(sumB, sumB + weightsB * valueB, gap <= radiusB);
    // Value j + 1's weights: output m takes output m - 1's, output 0 a new pair.
    let next = tapWeights(kernel, j + 1 - runStart);
    weightsA = vec4f(next.x, weightsA.xyz);
    weightsB = vec4f(next.y, weightsB.xyz);
  }
  let destination = p * imageSize + start;
  for (var m = 0u; m < RUN; m++) {
    if (runStart + i32(m) <= runEnd) {
      output[destination + (u32(runStart) + m) * pitch] = sumA[m];
      outputAhead[destination + (u32(runStart) + m) * pitch] = sumB[m];
    }
  }
}
