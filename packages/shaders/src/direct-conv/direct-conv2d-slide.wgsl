// direct-conv2d-slide.wgsl
//
// direct-conv2d.wgsl for a stride of 1 along the columns and a filter 1 to 5 columns wide
// (directConv2dFor picks it): the same 8 x 8 blocks, results and bindings, but each (ky, ci) step
// loads the 8 + FILTER_WIDTH - 1 input cells its 8 columns' windows cover once, as a sliding window
// (conv-window8.wgsl), instead of 8 cells for every kx: a 3-wide filter loads 10 inputs where
// direct-conv2d loads 24, a 5-wide one 12 instead of 40 (the 8 weights of each kx are loaded as
// before). Why: on SwiftShader every load of a per-invocation index is a gather done lane by lane,
// and loads, not multiply-adds, bound these kernels (conv-block8.wgsl). Each step also carries the
// 64 sums through one loop iteration for FILTER_WIDTH taps instead of one (SwiftShader merges every
// loop-carried value under the lane mask on each iteration).
// Measured (session 17, MNIST's relu + bias convolutions at batch 1 in headless Chromium,
// per-dispatch timestamps, medians of 41-61 alternating with direct-conv2d in one page; 14 runs at
// load 7-16): new / old per run conv1 0.55-0.81 (median 0.66; medians 0.88 vs 1.37 ms), conv2
// 0.70-1.08 (0.80; 1.69 vs 2.00), conv3 0.56-1.05 (0.81; 3.14 vs 3.44). At batch 16 (one run):
// 13.7 / 32.2 / 46.4 ms instead of 20.3 / 34.0 / 69.7. On lavapipe it was slower, the more so the
// wider the filter (5 wide 1.4-1.6x, 3 wide 1.0-1.2x), so core runs it on SwiftShader only
// (slideDirectConvolutions). Two output rows x 8 columns x 4 channels per invocation (each weight
// used 16 times, two windows per step) was no faster (3 runs: conv3 2.87-4.03 vs 3.15-3.52 ms).
//
// FILTER_WIDTH is an override constant (one pipeline per width): the window's cells and taps are
// written out with constant indices, since SwiftShader unrolls no loop and keeps an array indexed
// by a loop counter in per-invocation memory (ADR 0009).
// Numerics: f32 products summed in (ci, kx) order into one partial sum per filter row ky, the rows'
// sums added in ky order, the bias added last (direct-conv2d: one running sum in (ky, kx, ci)
// order): same tolerance, abs 1e-5, rel 1e-4 against the f64 reference; on the 800-term test case
// the per-row sums halved the rms error (4.1e-6 -> 2.0e-6).

override WORKGROUP_SIZE: u32;

@group(0) @binding(0) var<uniform> params: ConvGeometry; // conv-geometry.wgsl; strideWidth is 1
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> weights: array<f32>;
// Read only when HAS_BIAS (bind any storage buffer otherwise).
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> y: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = linearIndex(wid, lid, nwg, WORKGROUP_SIZE);
  if (i >= params.count) {
    return;
  }
  let work = convBlock8(i, params.outWidth, params.outChannels);
  let oy = work.row % params.outHeight; // work.row = b * outHeight + oy
  let b = work.row / params.outHeight;
  let top = i32(oy * params.strideHeight) - i32(params.padTop);
  // Input column of window cell 0 (output column col0's kx = 0), stride 1.
  let cells = windowCells(i32(work.col0) - i32(params.padLeft), params.inWidth);
  // Weights between two neighbouring kx of one (ky, ci).
  let tapStride = params.inChannels * params.outChannels;

  var sums = Sums8();
  for (var ky = 0u; ky < params.filterHeight; ky++) {
    let iy = top + i32(ky);
    if (iy < 0 || iy >= i32(params.inHeight)) {
      continue;
    }
    let rowBase = (b * params.inHeight + u32(iy)) * params.inWidth;
    let at = windowAddresses(cells, rowBase, params.inChannels);
    var wRow = ky * FILTER_WIDTH * tapStride; // weights[ky, 0, ci, 0]
    var row = Sums8();
    for (var ci = 0u; ci < params.inChannels; ci++) {
      // Shift s is tap kx = s: column k reads cell k + kx.
      addWindowTaps(&row, loadWindow(at, cells, ci), wRow, i32(tapStride), work.lo, work.hi);
      wRow += params.outChannels;
    }
    addSums(&sums, row);
  }
  storeOutput8(work, params.outWidth, params.outChannels, sums.loA, sums.hiA, sums.loB, sums.hiB);
}

// Reads x (conv-window8.wgsl's contract).
fn windowSource(at: u32) -> f32 {
  return x[at];
}

fn writeOutput(at: u32, value: f32) {
  y[at] = value;
}
