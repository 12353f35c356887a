// max-pool-grad.wgsl
//
// Gradient of 3-D max pooling (NDHWC; 2-D max pooling is depth 1) with respect to its input, with an
// explicit tie rule: in every pooling window the FIRST maximal element in row-major window order
// (front slice first, then top row first, left to right) receives that window's output gradient, as
// in PyTorch (max_pool2d, max_pool3d), TensorFlow and tfjs's cpu backend for 2-D. tfjs 4.22 gives it
// to the LAST one on webgpu (2-D and 3-D) and on cpu for 3-D, which changes gradient maps wherever a
// window holds equal values (flat backgrounds, ReLU zeros, the black IG baseline).
//
//   dx[b, d, r, c, ch] = sum over windows (oz, oy, ox) that contain (d, r, c) and whose first
//                        argmax is (d, r, c) of dy[b, oz, oy, ox, ch]
//
// Window (oz, oy, ox) covers rows oy * strideHeight - padTop .. + filterHeight - 1 (same for
// columns and depth slices); cells outside the volume are skipped (padding never wins). NaN never wins
// (isNan4 of f32.wgsl tests the bit pattern: WGSL lets implementations assume there is no NaN), as in
// tfjs's cpu backend; a window with no non-NaN value sends its gradient nowhere.
//
// Dispatch: 1-D, one invocation per dx cell and group of 4 channels (gather, no atomics): count =
// cells * ceil(channels / 4) (maxPoolGradInvocations), ceil(count / WORKGROUP_SIZE) workgroups
// folded past 65,535. Each invocation visits the ceil(filter / stride)^3 windows that cover its
// cell and rescans each window to find its 4 channels' argmaxes (filter^3 reads of 4 values), so
// no positions buffer. The 4 channels share all index arithmetic and the loop (4x fewer
// invocations than one per element: ~3x faster on software adapters). Lanes past the last channel
// read a clamped, valid channel and are never written.
// Numerics: the argmax is exact (comparisons only); contributions of overlapping windows are
// added in f32 in increasing (oz, oy, ox) order, the order of tfjs's cpu kernel: tolerance abs 1e-6,
// rel 1e-6 against the f64 reference (exact when windows do not overlap).

override WORKGROUP_SIZE: u32;

struct Params {
  count: u32,
  depth: u32,
  height: u32,
  width: u32,
  channels: u32,
  outDepth: u32,
  outHeight: u32,
  outWidth: u32,
  filterDepth: u32,
  filterHeight: u32,
  filterWidth: u32,
  strideDepth: u32,
  strideHeight: u32,
  strideWidth: u32,
  padFront: u32,
  padTop: u32,
  padLeft: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> input: array<f32>;
@group(0) @binding(2) var<storage, read> dy: array<f32>;
@group(0) @binding(3) var<storage, read_write> dx: array<f32>;

// Channels `lanes` of flat element `at` (a cell offset times channels) of `input` / `dy`.
fn inputAt(at: u32, lanes: vec4u) -> vec4f {
  return vec4f(input[at + lanes.x], input[at + lanes.y], input[at + lanes.z], input[at + lanes.w]);
}
fn dyAt(at: u32, lanes: vec4u) -> vec4f {
  return vec4f(dy[at + lanes.x], dy[at + lanes.y], dy[at + lanes.z], dy[at + lanes.w]);
}

// Per lane, the flat cell offset ((slice * height + row) * width + col) of the first maximal
// element of window (oz, oy, ox) of volume b; -1 where the window holds no non-NaN value.
fn firstArgmax(b: u32, lanes: vec4u, oz: u32, oy: u32, ox: u32) -> vec4i {
  let front = i32(oz * params.strideDepth) - i32(params.padFront);
  let top = i32(oy * params.strideHeight) - i32(params.padTop);
  let left = i32(ox * params.strideWidth) - i32(params.padLeft);
  let volumeBase = b * params.depth * params.height * params.width;
  var best = vec4f(0.0);
  var bestAt = vec4i(-1);
  for (var wd = 0; wd < i32(params.filterDepth); wd++) {
    let d = front + wd;
    if (d < 0 || d >= i32(params.depth)) {
      continue;
    }
    for (var wr = 0; wr < i32(params.filterHeight); wr++) {
      let r = top + wr;
      if (r < 0 || r >= i32(params.height)) {
        continue;
      }
      for (var wc = 0; wc < i32(params.filterWidth); wc++) {
        let c = left + wc;
        if (c < 0 || c >= i32(params.width)) {
          continue;
        }
        let at = (d * i32(params.height) + r) * i32(params.width) + c;
        let v = inputAt((volumeBase + u32(at)) * params.channels, lanes);
        // Strictly greater: an equal value later in the window never replaces the first maximum.
        let take = !isNan4(v) & ((bestAt < vec4i(0)) | (v > best));
        best = select(best, v, take);
        bestAt = select(bestAt, vec4i(at), take);
      }
    }
  }
  return bestAt;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = linearIndex(wid, lid, nwg, WORKGROUP_SIZE);
  if (i >= params.count) {
    return;
  }
  let groups = (params.channels + 3u) / 4u;
  let c0 = (i % groups) * 4u;
  let lanes = min(vec4u(c0) + vec4u(0u, 1u, 2u, 3u), vec4u(params.channels - 1u));
  let cell = i / groups;
  let col = cell % params.width;
  let row = (cell / params.width) % params.height;
  let slice = (cell / (params.width * params.height)) % params.depth;
  let b = cell / (params.width * params.height * params.depth);
  let here = vec4i(i32((slice * params.height + row) * params.width + col));

  let zs = coveringWindows(slice, params.padFront, params.filterDepth, params.strideDepth, params.outDepth);
  let ys = coveringWindows(row, params.padTop, params.filterHeight, params.strideHeight, params.outHeight);
  let xs = coveringWindows(col, params.padLeft, params.filterWidth, params.strideWidth, params.outWidth);
  var sum = vec4f(0.0);
  for (var oz = zs.x; oz < zs.y; oz++) {
    for (var oy = ys.x; oy < ys.y; oy++) {
      for (var ox = xs.x; ox < xs.y; ox++) {
        let wins = firstArgmax(b, lanes, oz, oy, ox) == here;
        let at = (((b * params.outDepth + oz) * params.outHeight + oy) * params.outWidth + ox) * params.channels;
        sum += select(vec4f(0.0), dyAt(at, lanes), wins);
      }
    }
  }
  let out = cell * params.channels;
  for (var k = 0u; k < 4u && c0 + k < params.channels; k++) {
    dx[out + c0 + k] = sum[k];
  }
}
