// fourier-image-adjoint.wgsl
//
// The adjoint of the parametrisation's last step (factor, colour mix, sigmoid: fourierImageRef;
// on the GPU in the last inverse row FFT stage) at its output: from the images and
// the gradient with respect to them (both [count, h, w, c], NHWC) the gradient with respect to each
// plane row, packed two rows per complex sequence for the forward row FFT:
//   g[n, i, y, x] = factor * sum_j M[i, j] gradient[n, y, x, j] image[n, y, x, j] (1 - image[n, y, x, j])
//   pairs[k] = g_row(2k) + i g_row(2k + 1)   ([ceil(rows / 2), 2, w], [re | im]; a missing last row is 0)
// with row r = (n c + i) h + y (planes channels first), M row-major in m0..m8 (c = 1: m0 only).
//
// Dispatch: one invocation per (pair, x), 1-D folded; each reads its two rows' c channels.

// Params (sizes, factor, m0..m8) comes from fourier-params.wgsl (include).

override WORKGROUP_SIZE: u32;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> image: array<f32>;
@group(0) @binding(2) var<storage, read> gradient: array<f32>;
@group(0) @binding(3) var<storage, read_write> pairs: array<f32>;

// d objective / d (pre-sigmoid value) at NHWC index `at`.
fn preSigmoid(at: u32) -> f32 {
  let s = image[at];
  return gradient[at] * s * (1.0 - s);
}

fn planeGradient(r: u32, x: u32) -> f32 {
  let c = params.channels;
  if (r >= params.images * c * params.height) {
    return 0.0;
  }
  let p = r / params.height;
  let y = r % params.height;
  let i = p % c;
  let pixel = ((p / c) * params.height + y) * params.width + x;
  if (c == 1u) {
    return params.factor * params.m0 * preSigmoid(pixel);
  }
  let g = vec3f(preSigmoid(pixel * 3u), preSigmoid(pixel * 3u + 1u), preSigmoid(pixel * 3u + 2u));
  return params.factor * dot(mixRow(i), g);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let t = linearIndex(wid, lid, nwg, WORKGROUP_SIZE);
  let w = params.width;
  let pairCount = (params.images * params.channels * params.height + 1u) / 2u;
  if (t >= pairCount * w) {
    return;
  }
  let k = t / w;
  let x = t % w;
  pairs[k * 2u * w + x] = planeGradient(2u * k, x);
  pairs[k * 2u * w + w + x] = planeGradient(2u * k + 1u, x);
}
