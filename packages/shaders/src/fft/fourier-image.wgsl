// fourier-image.wgsl
//
// The end of the Fourier parametrisation of feature visualisation: planes -> colour mix -> sigmoid.
// `pairs` [ceil(rows / 2), 2, w] holds the inverse row FFT of the Hermitian-extended packed rows: the
// real part of pair k is plane row 2k, the imaginary part row 2k + 1, where row r = (n c + i) h + y
// is row y of channel plane i of image n (planes [count, c, h, w], channels first).
//   image[n, y, x, j] = sigmoid(factor * sum_i plane[n, i, y, x] M[i, j])   (NHWC, c = 1 or 3)
// M is the 3 x 3 colour mix, row-major in m0..m8 (for c = 1 only m0 is read: pass 1).
//
// Dispatch: one invocation per pixel (n, y, x), all channels; 1-D folded. A few products and one
// exp per value: tolerance fft.kernel.ts.

// Params (sizes, factor, m0..m8) comes from fourier-params.wgsl (include).

override WORKGROUP_SIZE: u32;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> pairs: array<f32>;
@group(0) @binding(2) var<storage, read_write> image: array<f32>;

fn plane(n: u32, i: u32, y: u32, x: u32) -> f32 {
  let r = (n * params.channels + i) * params.height + y;
  return params.factor * pairs[(r / 2u) * 2u * params.width + (r % 2u) * params.width + x];
}

fn sigmoid(z: f32) -> f32 {
  return 1.0 / (1.0 + exp(-z));
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let t = linearIndex(wid, lid, nwg, WORKGROUP_SIZE);
  let pixels = params.height * params.width;
  if (t >= params.images * pixels) {
    return;
  }
  let n = t / pixels;
  let y = (t % pixels) / params.width;
  let x = t % params.width;
  if (params.channels == 1u) {
    image[t] = sigmoid(params.m0 * plane(n, 0u, y, x));
    return;
  }
  let p = vec3f(plane(n, 0u, y, x), plane(n, 1u, y, x), plane(n, 2u, y, x));
  let mixed = p.x * vec3f(params.m0, params.m1, params.m2) + p.y * vec3f(params.m3, params.m4, params.m5) + p.z * vec3f(params.m6, params.m7, params.m8);
  image[t * 3u] = sigmoid(mixed.x);
  image[t * 3u + 1u] = sigmoid(mixed.y);
  image[t * 3u + 2u] = sigmoid(mixed.z);
}
