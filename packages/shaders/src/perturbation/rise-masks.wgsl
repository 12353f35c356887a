// rise-masks.wgsl
//
// RISE masks (Petsiuk, Das, Saenko, "RISE: Randomized Input Sampling for Explanation of
// Black-box Models", BMVC 2018, sec. 3.2): each sample is a random binary grid of gridH x gridW
// cells, upsampled bilinearly to (gridH + 1) * cell x (gridW + 1) * cell pixels and cropped at a
// random shift (shiftY, shiftX) in [0, cell) to H x W. The upsampling is skimage's
// `resize(order=1, mode='reflect', anti_aliasing=False)` of the reference code: source coordinate
// (dst + 0.5) * grid / up - 0.5, neighbours mirrored at the border (numpy 'reflect').
// masks[b, y, x] for sample sampleOffset + b; grids [samples, gridH * gridW] (0/1 as f32),
// shifts [samples, 2] (u32: y, x).
//
// Dispatch: 1-D, one invocation per mask value, ceil(count * H * W / WORKGROUP_SIZE) workgroups
// folded past 65,535. Numerics: f32 bilinear weights; abs error <= 4e-7 (tolerance abs 2e-6).

override WORKGROUP_SIZE: u32;

struct Params {
  count: u32,
  height: u32,
  width: u32,
  gridH: u32,
  gridW: u32,
  cell: u32,
  sampleOffset: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> grids: array<f32>;
@group(0) @binding(2) var<storage, read> shifts: array<u32>;
@group(0) @binding(3) var<storage, read_write> masks: array<f32>;

// numpy 'reflect' (mirror without repeating the edge) for an index in [-n, 2n - 1).
fn reflectIndex(i: i32, n: i32) -> i32 {
  if (n == 1) {
    return 0;
  }
  var j = i;
  if (j < 0) {
    j = -j;
  }
  if (j >= n) {
    j = 2 * n - 2 - j;
  }
  return j;
}

// Source coordinate, lower neighbour and weight of upsampled position u along an axis of `grid` cells.
fn axis(u: u32, grid: u32) -> vec3f {
  let up = f32((grid + 1u) * params.cell);
  let s = (f32(u) + 0.5) * (f32(grid) / up) - 0.5;
  let lo = floor(s);
  return vec3f(lo, s - lo, 0.0);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = linearIndex(wid, lid, nwg, WORKGROUP_SIZE);
  let pixels = params.height * params.width;
  if (i >= params.count * pixels) {
    return;
  }
  let bxy = maskPixel(i, pixels, params.width);
  let b = bxy.x;
  let y = bxy.y;
  let x = bxy.z;
  let sample = params.sampleOffset + b;
  let ay = axis(y + shifts[sample * 2u], params.gridH);
  let ax = axis(x + shifts[sample * 2u + 1u], params.gridW);
  let gh = i32(params.gridH);
  let gw = i32(params.gridW);
  let y0 = reflectIndex(i32(ay.x), gh);
  let y1 = reflectIndex(i32(ay.x) + 1, gh);
  let x0 = reflectIndex(i32(ax.x), gw);
  let x1 = reflectIndex(i32(ax.x) + 1, gw);
  let base = sample * params.gridH * params.gridW;
  let g00 = grids[base + u32(y0 * gw + x0)];
  let g01 = grids[base + u32(y0 * gw + x1)];
  let g10 = grids[base + u32(y1 * gw + x0)];
  let g11 = grids[base + u32(y1 * gw + x1)];
  let top = g00 + ax.y * (g01 - g00);
  let bottom = g10 + ax.y * (g11 - g10);
  masks[i] = top + ay.y * (bottom - top);
}
