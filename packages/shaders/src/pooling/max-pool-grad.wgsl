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
// columns and depth slices); cells outside the volume are skipped (padding never wins). NaN never wins (detected on the bit
// pattern: WGSL lets implementations assume there is no NaN), as in tfjs's cpu backend; a window
// with no non-NaN value sends its gradient nowhere.
//
// Dispatch: 1-D, one invocation per dx element (gather, no atomics), ceil(count / WORKGROUP_SIZE)
// workgroups folded past 65,535. Each invocation visits the ceil(filter / stride)^3 windows that
// cover it and rescans each window to find its argmax (filter^3 reads), so no positions buffer.
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

fn isNanBits(v: f32) -> bool {
  return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u;
}

// Flat input offset ((slice * height + row) * width + col) of the first maximal element of window
// (oz, oy, ox) of volume b, channel ch; -1 when the window holds no non-NaN value.
fn firstArgmax(b: u32, ch: u32, oz: u32, oy: u32, ox: u32) -> i32 {
  let front = i32(oz * params.strideDepth) - i32(params.padFront);
  let top = i32(oy * params.strideHeight) - i32(params.padTop);
  let left = i32(ox * params.strideWidth) - i32(params.padLeft);
  let volumeBase = b * params.depth * params.height * params.width;
  var best = 0.0;
  var bestAt = -1;
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
        let v = input[(volumeBase + u32(at)) * params.channels + ch];
        // Strictly greater: an equal value later in the window never replaces the first maximum.
        if (!isNanBits(v) && (bestAt < 0 || v > best)) {
          best = v;
          bestAt = at;
        }
      }
    }
  }
  return bestAt;
}

// Output indices [first, last) of the windows along one axis that contain input index `at`:
// o * stride - pad <= at <= o * stride - pad + size - 1 (size: the window along that axis).
fn coveringWindows(at: u32, pad: u32, size: u32, stride: u32, outSize: u32) -> vec2u {
  let end = at + pad;                            // >= o * stride
  let start = i32(end) - i32(size) + 1;          // <= o * stride
  let first = u32(max(0, (start + i32(stride) - 1) / i32(stride)));
  return vec2u(first, min(end / stride + 1u, outSize));
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = linearIndex(wid, lid, nwg, WORKGROUP_SIZE);
  if (i >= params.count) {
    return;
  }
  let ch = i % params.channels;
  let cell = i / params.channels;
  let col = cell % params.width;
  let row = (cell / params.width) % params.height;
  let slice = (cell / (params.width * params.height)) % params.depth;
  let b = cell / (params.width * params.height * params.depth);
  let here = i32((slice * params.height + row) * params.width + col);

  let zs = coveringWindows(slice, params.padFront, params.filterDepth, params.strideDepth, params.outDepth);
  let ys = coveringWindows(row, params.padTop, params.filterHeight, params.strideHeight, params.outHeight);
  let xs = coveringWindows(col, params.padLeft, params.filterWidth, params.strideWidth, params.outWidth);
  var sum = 0.0;
  for (var oz = zs.x; oz < zs.y; oz++) {
    for (var oy = ys.x; oy < ys.y; oy++) {
      for (var ox = xs.x; ox < xs.y; ox++) {
        if (firstArgmax(b, ch, oz, oy, ox) == here) {
          sum += dy[(((b * params.outDepth + oz) * params.outHeight + oy) * params.outWidth + ox) * params.channels + ch];
        }
      }
    }
  }
  dx[i] = sum;
}
