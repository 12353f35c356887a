// heatmap-params.wgsl
//
// The GPU side of <xai-heatmap>'s draw path without readbacks: turns attribution-stats' reduction and
// magnitude-histogram's counts into the uniform structs of the kernels that follow, so the colour scale
// never travels through the CPU. One invocation, two stages (one dispatch each):
//   stage 0 (after attribution-stats): binScale = f32(bins) / max (0 for max 0), the histogram's
//           Params {count, sign, bins, binScale}.
//   stage 1 (after magnitude-histogram): the clip and the top-k threshold by the cumulative search of
//           percentileFromHistogram (percentile.ts) at ranks the CPU computed (they depend only on the
//           options and the size), the colour scale 128 or 256 / clip (colormapScale; an explicit
//           `range` replaces the clip), and the Params of colormap-apply, topk-mask and heatmap-blend.
//           If the map holds NaN or Inf, heatmap-blend gets MODE_BLANK over the whole output: no
//           picture rather than a wrong one (the caller's read-out reports the count).
// stats words: [0..4] attribution-stats; this kernel writes [5] binScale, [6] clip value,
// [7] threshold bin (i32), [8] colour scale (all as bits), which the asynchronous read-out copies.
//
// Dispatch: one workgroup of one invocation (a 2048-bin scan: negligible next to the per-pixel passes).
// Numerics: binScale, the clip value (max * (b + 1) / bins) and the scale are f32 arithmetic where
// the CPU path rounds f64 results once; WGSL division is within 2.5 ULP, so they agree within a
// relative 1e-6 (the descriptor's tolerance). Integer outputs (bins, ranks, threshold) are exact for
// the same histogram.

override WORKGROUP_SIZE: u32;

const SIGN_BOTH: u32 = 3u;
const MODE_SIDE_BY_SIDE: u32 = 1u;
const MODE_BLANK: u32 = 5u;

struct Params {
  stage: u32,
  count: u32,
  width: u32,
  height: u32,
  sign: u32,
  bins: u32,
  clipRank: u32,
  thresholdRank: u32,
  hasRange: u32,
  range: f32,
  reversed: u32,
  mode: u32,
  opacity: f32,
  contourColor: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> stats: array<u32>;
@group(0) @binding(2) var<storage, read> histogram: array<u32>;
@group(0) @binding(3) var<storage, read_write> histogramParams: array<u32>;
@group(0) @binding(4) var<storage, read_write> colormapParams: array<u32>;
@group(0) @binding(5) var<storage, read_write> topkParams: array<u32>;
@group(0) @binding(6) var<storage, read_write> blendParams: array<u32>;

struct Percentile {
  value: f32,
  bin: i32,
}

// percentileFromHistogram: the smallest bin whose cumulative count reaches `rank`; its upper edge.
fn percentile(rank: u32, max: f32) -> Percentile {
  if (rank == 0u || params.count == 0u) {
    return Percentile(0.0, -1);
  }
  var cumulative = 0u;
  for (var b = 0u; b < params.bins; b++) {
    cumulative += histogram[b];
    if (cumulative >= rank) {
      if (b == params.bins - 1u) {
        return Percentile(max, i32(b));
      }
      return Percentile(max * f32(b + 1u) / f32(params.bins), i32(b));
    }
  }
  return Percentile(max, i32(params.bins) - 1);
}

fn histogramStage() {
  let max = bitcast<f32>(stats[2]);
  let binScale = select(0.0, f32(params.bins) / max, max > 0.0);
  stats[5] = bitcast<u32>(binScale);
  histogramParams[0] = params.count;
  histogramParams[1] = params.sign;
  histogramParams[2] = params.bins;
  histogramParams[3] = bitcast<u32>(binScale);
}

fn drawStage() {
  let max = bitcast<f32>(stats[2]);
  let binScale = bitcast<f32>(stats[5]);
  var clip = params.range;
  if (params.hasRange == 0u) {
    clip = percentile(params.clipRank, max).value;
  }
  let threshold = percentile(params.thresholdRank, max).bin;
  var scale = 0.0;
  if (clip > 0.0) {
    scale = select(256.0, 128.0, params.sign == SIGN_BOTH) / clip;
  }
  stats[6] = bitcast<u32>(clip);
  stats[7] = bitcast<u32>(threshold);
  stats[8] = bitcast<u32>(scale);
  colormapParams[0] = params.count;
  colormapParams[1] = params.sign;
  colormapParams[2] = bitcast<u32>(scale);
  colormapParams[3] = params.reversed;
  topkParams[0] = params.width;
  topkParams[1] = params.height;
  topkParams[2] = params.sign;
  topkParams[3] = params.bins;
  topkParams[4] = bitcast<u32>(binScale);
  topkParams[5] = bitcast<u32>(threshold);
  var mode = params.mode;
  var width = params.width;
  if (stats[3] != 0u) {
    mode = MODE_BLANK;
    width = select(params.width, 2u * params.width, params.mode == MODE_SIDE_BY_SIDE);
  }
  blendParams[0] = width;
  blendParams[1] = params.height;
  blendParams[2] = mode;
  blendParams[3] = bitcast<u32>(params.opacity);
  blendParams[4] = params.contourColor;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main() {
  if (params.stage == 0u) {
    histogramStage();
  } else {
    drawStage();
  }
}
