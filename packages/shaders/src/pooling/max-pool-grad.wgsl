// max-pool-grad.wgsl
//
// Gradient of 2-D max pooling (NHWC) with respect to its input, with an explicit tie rule: in every
// pooling window the FIRST maximal element in row-major window order (top row first, left to right)
// receives that window's output gradient, as in tfjs's cpu backend, PyTorch (max_pool2d) and
// TensorFlow. tfjs-backend-webgpu 4.22 gives it to the LAST one, which changes gradient maps
// wherever a window holds equal values (flat backgrounds, ReLU zeros, the black IG baseline).
//
//   dx[b, r, c, ch] = sum over windows (oy, ox) that contain (r, c) and whose first argmax is (r, c)
//                     of dy[b, oy, ox, ch]
//
// Window (oy, ox) covers rows oy * strideHeight - padTop .. + filterHeight - 1 (same for columns);
// cells outside the image are skipped (padding never wins). NaN never wins (detected on the bit
// pattern: WGSL lets implementations assume there is no NaN), as in tfjs's cpu backend; a window
// with no non-NaN value sends its gradient nowhere.
//
// Dispatch: 1-D, one invocation per dx element (gather, no atomics), ceil(count / WORKGROUP_SIZE)
// workgroups folded past 65,535. Each invocation visits the ceil(filter / stride)^2 windows that
// cover it and rescans each window to find its argmax (filter^2 reads), so no positions buffer.
// Numerics: the argmax is exact (comparisons only); contributions of overlapping windows are
// added in f32 in increasing (oy, ox) order, the order of tfjs's cpu kernel: tolerance abs 1e-6,
// rel 1e-6 against the f64 reference (exact when windows do not overlap).

override WORKGROUP_SIZE: u32;

struct Params {
  count: u32,
  height: u32,
  width: u32,
  channels: u32,
  outHeight: u32,
  outWidth: u32,
  filterHeight: u32,
  filterWidth: u32,
  strideHeight: u32,
  strideWidth: u32,
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

// Flat input offset (row * width + col) of the first maximal element of window (oy, ox) of image
// b, channel ch; -1 when the window holds no non-NaN value.
fn firstArgmax(b: u32, ch: u32, oy: u32, ox: u32) -> i32 {
  let top = i32(oy * params.strideHeight) - i32(params.padTop);
  let left = i32(ox * params.strideWidth) - i32(params.padLeft);
  let imageBase = b * params.height * params.width;
  var best = 0.0;
  var bestAt = -1;
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
      let at = r * i32(params.width) + c;
      let v = input[(imageBase + u32(at)) * params.channels + ch];
      // Strictly greater: an equal value later in the window never replaces the first maximum.
      if (!isNanBits(v) && (bestAt < 0 || v > best)) {
        best = v;
        bestAt = at;
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
  let ch = i % params.channels;
  let pixel = i / params.channels;
  let col = pixel % params.width;
  let row = (pixel / params.width) % params.height;
  let b = pixel / (params.width * params.height);
  let here = i32(row * params.width + col);

  // Output rows whose window contains `row`: oy * strideHeight - padTop <= row <= that + filterHeight - 1.
  let rowEnd = row + params.padTop;                       // >= oy * strideHeight
  let rowStart = i32(rowEnd) - i32(params.filterHeight) + 1; // <= oy * strideHeight
  let oyFirst = u32(max(0, (rowStart + i32(params.strideHeight) - 1) / i32(params.strideHeight)));
  let oyLast = min(rowEnd / params.strideHeight + 1u, params.outHeight);
  let colEnd = col + params.padLeft;
  let colStart = i32(colEnd) - i32(params.filterWidth) + 1;
  let oxFirst = u32(max(0, (colStart + i32(params.strideWidth) - 1) / i32(params.strideWidth)));
  let oxLast = min(colEnd / params.strideWidth + 1u, params.outWidth);

  var sum = 0.0;
  for (var oy = oyFirst; oy < oyLast; oy++) {
    for (var ox = oxFirst; ox < oxLast; ox++) {
      if (firstArgmax(b, ch, oy, ox) == here) {
        sum += dy[((b * params.outHeight + oy) * params.outWidth + ox) * params.channels + ch];
      }
    }
  }
  dx[i] = sum;
}
