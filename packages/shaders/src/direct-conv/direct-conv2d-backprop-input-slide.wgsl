// direct-conv2d-backprop-input-slide.wgsl
//
// direct-conv2d-backprop-input.wgsl for a stride of 1 along the columns and a filter 1 to 5
// columns wide (directConv2dBackpropInputFor picks it): the same 8 x 8 blocks of input columns x
// input channels, results and bindings, but each (ky, co) step loads the 8 + FILTER_WIDTH - 1 dy
// cells its 8 columns reach once, as a sliding window (conv-window8.wgsl), instead of 8 per kx.
// Column ix's tap kx reads dy column ix + padLeft - kx, so window cell 0 is dy column
// col0 + padLeft - (FILTER_WIDTH - 1) and the tap at shift s is kx = FILTER_WIDTH - 1 - s.
// Why, and why FILTER_WIDTH is an override constant: direct-conv2d-slide.wgsl. With UPPER_CHANNELS
// false (conv-window8.wgsl) it computes only its blocks' lower 4 channels and replaces the narrow
// 4 x 4 kernel for up to 4 input channels: per dy cell loaded it then does 4 multiply-adds per tap
// instead of the narrow kernel's 4 per (tap, cell).
// Measured (session 17, MNIST's input gradients at batch 1 in headless Chromium, per-dispatch
// timestamps, medians of 61 alternating with the 8 x 8 / narrow kernels in one page; 11 runs at
// load 7-16): new / old per run conv1 (vs narrow) 0.52-0.77 (median 0.59; medians 0.90 vs 1.67
// ms), conv2 0.74-1.16 (0.82; 1.52 vs 1.83), conv3 0.67-1.03 (0.85; 2.90 vs 3.48). At batch 16
// (one run): 14.1 / 20.4 / 44.5 ms instead of 27.6 / 32.0 / 67.0. SwiftShader only, as
// direct-conv2d-slide.
// Numerics: f32 products summed in (co, kx descending) order into one partial sum per filter row ky,
// the rows' sums added in ky order (the 8 x 8 kernel: one running sum in (ky, kx, co) order): same
// tolerance, abs 1e-5, rel 1e-4 against the f64 reference. The per-row sums are for accuracy: on
// the 800-term test case a single running sum in (ky, co, kx) order put one element at 1.13x the
// tolerance; the per-row sums halved the rms error (8.2e-6 -> 3.9e-6).

override WORKGROUP_SIZE: u32;

@group(0) @binding(0) var<uniform> params: ConvGeometry; // conv-geometry.wgsl; strideWidth is 1
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> weights: array<f32>;
@group(0) @binding(3) var<storage, read_write> dx: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = linearIndex(wid, lid, nwg, WORKGROUP_SIZE);
  if (i >= params.count) {
    return;
  }
  let work = convBlock8(i, params.inWidth, params.inChannels);
  let iy = work.row % params.inHeight; // work.row = b * inHeight + iy
  let b = work.row / params.inHeight;
  let sh = i32(params.strideHeight);
  let cells = windowCells(i32(work.col0 + params.padLeft) - i32(FILTER_WIDTH - 1u), params.outWidth);
  // Weights between two neighbouring kx of one (ky, co), and the block's weight rows (input channels).
  let tapStride = params.inChannels * params.outChannels;
  let rowsLo = work.lo * params.outChannels;
  let rowsHi = work.hi * params.outChannels;

  var sums = Sums8();
  for (var ky = 0u; ky < params.filterHeight; ky++) {
    let reachY = i32(iy + params.padTop) - i32(ky); // oy * strideHeight
    if (reachY < 0 || reachY % sh != 0 || reachY / sh >= i32(params.outHeight)) {
      continue;
    }
    let dyRow = (b * params.outHeight + u32(reachY / sh)) * params.outWidth;
    let at = windowAddresses(cells, dyRow, params.outChannels);
    var wLast = (ky * FILTER_WIDTH + FILTER_WIDTH - 1u) * tapStride; // weights[ky, FILTER_WIDTH - 1, 0, co]
    var row = Sums8();
    for (var co = 0u; co < params.outChannels; co++) {
      // Shift s is tap kx = FILTER_WIDTH - 1 - s: its weights are s taps before the last one.
      addWindowTaps(&row, loadWindow(at, cells, co), wLast, -i32(tapStride), rowsLo, rowsHi);
      wLast += 1u;
    }
    addSums(&sums, row);
  }
  storeBlock8(work, params.inWidth, params.inChannels, sums.loA, sums.hiA, sums.loB, sums.hiB);
}

// Reads dy (conv-window8.wgsl's contract).
fn windowSource(at: u32) -> f32 {
  return dy[at];
}

fn writeOutput(at: u32, value: f32) {
  dx[at] = value;
}
