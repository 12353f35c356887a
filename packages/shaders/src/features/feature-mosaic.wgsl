// feature-mosaic.wgsl
//
// A layer's activation as one tiled picture per image, each channel min-max normalised on its own
// (the "layer gallery" view of Yosinski et al., "Understanding Neural Networks Through Deep
// Visualization", 2015):
//   slot s of image n shows channel c = order[n, s] at tile (s / cols, s % cols):
//   mosaic[n, r * (h + pad) + y, q * (w + pad) + x] = (act[n, y, x, c] - lo) / (hi - lo)
//   with lo, hi = min, max over y, x of act[n, :, :, c]; a constant channel shows 0. Gaps between
//   tiles and slots past the last channel are `background`.
//
// Dispatch: one workgroup per (image, slot), slots = rows * cols (linearWorkgroup). Phase 1:
// invocations stride over the h * w positions of the channel (stride `channels` in NHWC) and fold
// min / max; a shared-memory tree gives the channel's range. Phase 2: invocations stride over the
// (h + pad) x (w + pad) cell (clipped at the mosaic's right and bottom edges) and write every pixel,
// so the whole mosaic is written without a separate fill. Shapes are uniforms.
// Numerics: (v - lo) rounds once, the product by 1 / (hi - lo) once more: |err| <= ~3 u on values
// in [0, 1]; tolerance abs 1e-6 (feature-mosaic.kernel.ts).

override WORKGROUP_SIZE: u32;

struct Params {
  images: u32,
  height: u32,
  width: u32,
  channels: u32,
  rows: u32,
  cols: u32,
  pad: u32,
  background: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> act: array<f32>;
@group(0) @binding(2) var<storage, read> order: array<u32>;
@group(0) @binding(3) var<storage, read_write> mosaic: array<f32>;

var<workgroup> lows: array<f32, WORKGROUP_SIZE>;
var<workgroup> highs: array<f32, WORKGROUP_SIZE>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let task = linearWorkgroup(wid, nwg);
  let slots = params.rows * params.cols;
  // task is uniform across the workgroup, so this early return keeps barriers in uniform control flow.
  if (task >= params.images * slots) {
    return;
  }
  let n = task / slots;
  let slot = task % slots;
  let h = params.height;
  let w = params.width;
  let K = params.channels;
  let positions = h * w;
  let filled = slot < K;
  var c = 0u;
  if (filled) {
    c = order[n * K + slot];
  }
  var low = 3.4028234e38;
  var high = -3.4028234e38;
  if (filled) {
    for (var p = lid.x; p < positions; p += WORKGROUP_SIZE) {
      let v = act[(n * positions + p) * K + c];
      low = min(low, v);
      high = max(high, v);
    }
  }
  lows[lid.x] = low;
  highs[lid.x] = high;
  workgroupBarrier();
  for (var stride = WORKGROUP_SIZE / 2u; stride > 0u; stride /= 2u) {
    if (lid.x < stride) {
      lows[lid.x] = min(lows[lid.x], lows[lid.x + stride]);
      highs[lid.x] = max(highs[lid.x], highs[lid.x + stride]);
    }
    workgroupBarrier();
  }
  let lo = lows[0];
  let range = highs[0] - lo;
  let scale = select(0.0, 1.0 / range, range > 0.0);
  let pad = params.pad;
  let outW = params.cols * (w + pad) - pad;
  let outH = params.rows * (h + pad) - pad;
  let top = (slot / params.cols) * (h + pad);
  let left = (slot % params.cols) * (w + pad);
  let cellH = min(h + pad, outH - top);
  let cellW = min(w + pad, outW - left);
  let base = n * outH * outW;
  for (var i = lid.x; i < cellH * cellW; i += WORKGROUP_SIZE) {
    let y = i / cellW;
    let x = i % cellW;
    var value = params.background;
    if (filled && y < h && x < w) {
      value = (act[(n * positions + y * w + x) * K + c] - lo) * scale;
    }
    mosaic[base + (top + y) * outW + left + x] = value;
  }
}
