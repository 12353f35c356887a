// max-pool-grad-tiles.wgsl
//
// max-pool-grad.wgsl for the common case of 2-D max pooling (NHWC) whose windows tile the image:
// stride == window along both axes, no padding before row 0 / column 0, a channel count that is a
// multiple of 4. Every input cell then lies in at most one window, so one invocation per window and
// group of 4 channels finds the window's FIRST maximal element (row-major; NaN never wins) and
// writes the whole tile: 0 + dy at the first maximum, +0 elsewhere. The "0 +" is max-pool-grad's
// sum of one term (and maxPoolGradRef's), so -0 in dy becomes +0 there too: the same bits.
//
//   tile (oy, ox) = rows oy * strideHeight .. (oy + 1) * strideHeight - 1 (the last row of windows:
//   up to the image's last row), likewise for columns; cells past the image are skipped; cells of
//   the tile that no window covers (the rows and columns 'valid' pooling drops) get 0.
//
// Why a second kernel: on SwiftShader max-pool-grad (one invocation per input cell, 3-D window
// loops, 4 scalar loads per vec4) took 2.5-5 ms for the MNIST CNN's pools at batch 1, more than
// their convolutions (docs/decisions/0009); here the invocations are 4x fewer (2x2 windows) and
// every load and store is a vec4.
//
// Dispatch: 1-D, one invocation per output window and group of 4 channels (pool-quads.wgsl): count =
// batch * outHeight * outWidth * channels / 4 (poolQuadsParams), ceil(count / WORKGROUP_SIZE)
// workgroups folded past 65,535. Numerics: comparisons and one addition to 0: exact.

override WORKGROUP_SIZE: u32;

@group(0) @binding(0) var<uniform> params: PoolQuadsParams;
@group(0) @binding(1) var<storage, read> input: array<vec4f>;
@group(0) @binding(2) var<storage, read> dy: array<vec4f>;
@group(0) @binding(3) var<storage, read_write> dx: array<vec4f>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = linearIndex(wid, lid, nwg, WORKGROUP_SIZE);
  if (i >= params.count) {
    return;
  }
  let work = poolQuadOf(i, params);
  let quad = work.x;
  let ox = work.y;
  let oy = work.z;
  let imageBase = work.w * params.height * params.width;
  // The window is the tile: stride == window, no padding before (maxPoolGradTilesCovers).
  let top = oy * params.filterHeight;
  let left = ox * params.filterWidth;
  let windowBottom = min(top + params.filterHeight, params.height);
  let windowRight = min(left + params.filterWidth, params.width);

  // The window's first maximum per channel (cell row * width + col; -1: none).
  var best = vec4f(0.0);
  var bestAt = vec4i(-1);
  for (var r = top; r < windowBottom; r++) {
    for (var c = left; c < windowRight; c++) {
      let at = i32(r * params.width + c);
      let v = input[(imageBase + u32(at)) * params.quads + quad];
      // Strictly greater: an equal value later in the window never replaces the first maximum.
      let take = !isNan4(v) & ((bestAt < vec4i(0)) | (v > best));
      best = select(best, v, take);
      bestAt = select(bestAt, vec4i(at), take);
    }
  }

  // The tile: the window, stretched to the image's edge for the last row / column of windows.
  let bottom = select(windowBottom, params.height, oy + 1u == params.outHeight);
  let right = select(windowRight, params.width, ox + 1u == params.outWidth);
  let gradient = dy[i];
  for (var r = top; r < bottom; r++) {
    for (var c = left; c < right; c++) {
      let at = i32(r * params.width + c);
      // max-pool-grad's 0 + dy written out (a compiler may fold "0.0 + x" to x, which keeps -0): -0
      // becomes +0, tested on the bits (a float comparison with a NaN dy is not reliable in WGSL).
      let passes = (bestAt == vec4i(at)) & (bitcast<vec4u>(gradient) != vec4u(0x80000000u));
      dx[(imageBase + u32(at)) * params.quads + quad] = select(vec4f(0.0), gradient, passes);
    }
  }
}
