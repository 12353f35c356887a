// scorecam-range.wgsl
//
// Score-CAM's per-channel normaliser (Wang et al., "Score-CAM", CVPRW 2020; pytorch-grad-cam
// score_cam.py): the min and max of each activation channel after upsampling it to the input size
// with torch.nn.UpsamplingBilinear2d, i.e. bilinear with align_corners = True:
//   source(y) = y * (h - 1) / (outH - 1)   (0 when outH == 1), lerped as a + (b - a) * t.
//   ranges[n, k] = (min_yx up, max_yx up)   over the outH x outW grid
// The extremes are taken over the upsampled grid, not the source pixels, as pytorch-grad-cam does
// (an upsample rarely lands exactly on the source's extreme pixel).
//
// Only some output rows and columns can hold an extreme: along a row (or a column) the bilinear
// value is linear between two source pixels, so within one source interval its extremes over the
// samples lie at the interval's first and last sample. The candidates are therefore the rows around
// each interval boundary b(i) = ceil(i (outH - 1) / (h - 1)): b - 1, b, b + 1 (the +-1 absorbs f32
// rounding of the source coordinate; a duplicate or an extra row is harmless), likewise columns:
// (3h) x (3w) samples instead of outH x outW (7x7 -> 224x224: 441 instead of 50,176 per channel).
//
// Dispatch: 1-D, one invocation per (n, k), folded past 65,535 workgroups; each walks its
// channel's candidates with the running min and max in registers: no workgroup memory, no barriers,
// and neighbouring invocations read neighbouring channels (act is NHWC [n][p][k]), so their loads
// are contiguous. (A workgroup per channel with a min-max tree took 1.7x as long at 7x7x1280 -> 224.)
// Numerics: min/max are exact given the interpolated values, which match the CPU reference (every
// sample, f64) to a few ulps: tolerance abs 1e-6, rel 1e-6. Linearity along a row holds exactly
// in real arithmetic; the f32 lerps can only move a skipped sample past the candidates by ulps.

override WORKGROUP_SIZE: u32;

struct Params {
  images: u32,
  height: u32,
  width: u32,
  channels: u32,
  outHeight: u32,
  outWidth: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> act: array<f32>;
@group(0) @binding(2) var<storage, read_write> ranges: array<f32>;

fn upsampledAt(n: u32, k: u32, q: u32) -> f32 {
  let K = params.channels;
  let sy = alignCornersCoord(q / params.outWidth, params.outHeight, params.height);
  let sx = alignCornersCoord(q % params.outWidth, params.outWidth, params.width);
  let taps = (bilinearTaps(sy, sx, params.width) + vec4u(n * params.height * params.width)) * K + vec4u(k);
  return bilinearMix(vec4f(act[taps.x], act[taps.y], act[taps.z], act[taps.w]), sy, sx);
}

// Candidate rows (or columns) of an align-corners upsample from `inSize` to `outSize`: 3 per source
// pixel, or 1 when every sample has the same source coordinate.
fn candidateCount(inSize: u32, outSize: u32) -> u32 {
  return select(3u * inSize, 1u, inSize == 1u || outSize == 1u);
}

// Output index of candidate c: boundary c / 3 of the source intervals, shifted by c % 3 - 1.
fn candidateAt(c: u32, inSize: u32, outSize: u32) -> u32 {
  if (inSize == 1u || outSize == 1u) {
    return 0u;
  }
  let i = c / 3u;
  let boundary = (i * (outSize - 1u) + inSize - 2u) / (inSize - 1u);
  return min(max(boundary + c % 3u, 1u) - 1u, outSize - 1u);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let task = linearIndex(wid, lid, nwg, WORKGROUP_SIZE);
  if (task >= params.images * params.channels) {
    return;
  }
  let n = task / params.channels;
  let k = task % params.channels;
  var low = F32_MAX;
  var high = -F32_MAX;
  let rows = candidateCount(params.height, params.outHeight);
  let columns = candidateCount(params.width, params.outWidth);
  for (var r = 0u; r < rows; r++) {
    let y = candidateAt(r, params.height, params.outHeight);
    for (var c = 0u; c < columns; c++) {
      let x = candidateAt(c, params.width, params.outWidth);
      let v = upsampledAt(n, k, y * params.outWidth + x);
      low = min(low, v);
      high = max(high, v);
    }
  }
  ranges[task * 2u] = low;
  ranges[task * 2u + 1u] = high;
}
