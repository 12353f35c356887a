// gaussian-blur-axis.wgsl
//
// One axis of a separable Gaussian blur of NHWC images with zero padding, as
// scipy.ndimage.gaussian_filter(image, sigma=[s, s, 0], mode='constant') does per axis (used by
// Blur IG, Xu et al. 2020, and by IG's 'blur' baseline). Each output image p has its own kernel:
//   output[p, y, x, c] = sum_{i=-r..r} w_p[|i|] * input[row_p, y + i, x, c]   (AXIS 0, along height)
//   output[p, y, x, c] = sum_{i=-r..r} w_p[|i|] * input[row_p, y, x + i, c]   (AXIS 1, along width)
// with out-of-image taps contributing 0 (cval = 0) and the kernel normalised over all 2r + 1 taps.
// row_p = plan[firstPoint + p].sourceRow when SOURCE_FROM_PLAN, else p (the second axis reads
// the first axis's output); kernels are the plan's half kernels (gaussian-kernel.ts, f64 -> f32).
//
// Dispatch: 1-D, one invocation per output value (pointCount * height * width * channels, folded).
// Numerics: 2r + 1 products summed in f32 in tap order: |gpu - f64| <= (2r + 2) u * sum |w x|,
// with sum w = 1: (2r + 2) u * max |x|.

override WORKGROUP_SIZE: u32;
override AXIS: u32 = 0u;
override SOURCE_FROM_PLAN: u32 = 1u;

struct Params {
  height: u32,
  width: u32,
  channels: u32,
  pointCount: u32,
  firstPoint: u32,
  stride: u32, // f32 values per half kernel in `weights`
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> plan: array<BlurPoint>;
@group(0) @binding(2) var<storage, read> weights: array<f32>;
@group(0) @binding(3) var<storage, read> input: array<f32>;
@group(0) @binding(4) var<storage, read_write> output: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let imageSize = params.height * params.width * params.channels;
  let i = linearIndex(wid, lid, nwg, WORKGROUP_SIZE);
  if (i >= params.pointCount * imageSize) {
    return;
  }
  let p = i / imageSize;
  let within = i - p * imageSize;
  let point = plan[params.firstPoint + p];
  var row = p;
  if (SOURCE_FROM_PLAN == 1u) {
    row = point.sourceRow;
  }
  let center = row * imageSize + within;
  let kernel = (params.firstPoint + p) * params.stride;
  let spot = blurSpot(within, params.height, params.width, params.channels, AXIS);
  let taps = inImageTaps(point.radius, spot);
  var sum = 0.0;
  for (var k = taps.x; k <= taps.y; k++) {
    let offset = i32(center) + k * i32(spot.step);
    sum += weights[kernel + u32(abs(k))] * input[u32(offset)];
  }
  output[i] = sum;
}
