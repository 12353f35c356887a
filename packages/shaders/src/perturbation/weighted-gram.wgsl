// weighted-gram.wgsl
//
// The weighted normal equations of LIME's ridge fit and KernelSHAP's constrained least squares,
// reduced over the samples: G = Z^T W Z for a design Z [samples, columns] whose LAST column is
// the response, so G holds X^T W X, X^T W y and y^T W y at once (the solve, on matrices of a few
// hundred rows, runs on the CPU). Z is never stored: its columns are derived from the binary
// sample matrix X [samples, features] (one row per perturbed image, 1 = feature present), the
// model's scores y [samples] and the kernel weights w [samples]:
// Rows rowOffset .. rowOffset + samples - 1 of X pair with scores[0 ..] and weights[0 ..].
//   MODE 0 (LIME, lime_base.py): Z = [1, X, y]  (columns = features + 2; the column of ones gives
//          the weighted means that fit_intercept=True centres with).
//   MODE 1 (KernelSHAP, shap's KernelExplainer.solve): the efficiency constraint sum(phi) =
//          f(x) - f(baseline) eliminates the last feature: Z = [X_j - X_last (j < M - 1),
//          y - base - X_last * delta] with base = f(baseline), delta = f(x) - f(baseline)
//          (columns = features).
//
// Dispatch: columns x columns workgroups (x = i, y = j); only j >= i work (the others return)
// and write G[i, j] and G[j, i]. Each of the WORKGROUP_SIZE invocations sums a strided slice of
// the samples, then a shared-memory tree adds the partials (Harris 2007).
// Numerics: f32, tree depth h = ceil(samples / WORKGROUP_SIZE) - 1 + log2(WORKGROUP_SIZE):
// |error| <= gamma_h * sum_n w_n |z_ni z_nj| (Higham sec. 4.2); tolerance for <= 4096 samples.

override WORKGROUP_SIZE: u32;
override MODE: u32 = 0u;

struct Params {
  samples: u32,
  rowOffset: u32,   // first row of the sample matrix (scores and weights start at 0)
  features: u32,
  columns: u32,
  base: f32,
  delta: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> samples: array<f32>;
@group(0) @binding(2) var<storage, read> scores: array<f32>;
@group(0) @binding(3) var<storage, read> weights: array<f32>;
@group(0) @binding(4) var<storage, read_write> gram: array<f32>;

var<workgroup> partials: array<f32, WORKGROUP_SIZE>;

fn column(n: u32, c: u32) -> f32 {
  let row = (n + params.rowOffset) * params.features;
  if (MODE == 0u) {
    if (c == 0u) {
      return 1.0;
    }
    if (c <= params.features) {
      return samples[row + c - 1u];
    }
    return scores[n];
  }
  let last = samples[row + params.features - 1u];
  if (c + 1u < params.features) {
    return samples[row + c] - last;
  }
  return scores[n] - params.base - last * params.delta;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let i = wid.x;
  let j = wid.y;
  // Uniform control flow: the whole workgroup returns together.
  if (j < i || i >= params.columns || j >= params.columns) {
    return;
  }
  var sum = 0.0;
  for (var n = lid.x; n < params.samples; n += WORKGROUP_SIZE) {
    sum += weights[n] * column(n, i) * column(n, j);
  }
  partials[lid.x] = sum;
  workgroupBarrier();
  for (var stride = WORKGROUP_SIZE / 2u; stride > 0u; stride /= 2u) {
    if (lid.x < stride) {
      partials[lid.x] += partials[lid.x + stride];
    }
    workgroupBarrier();
  }
  if (lid.x == 0u) {
    gram[i * params.columns + j] = partials[0];
    gram[j * params.columns + i] = partials[0];
  }
}
