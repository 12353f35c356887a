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
// Dispatch: 1-D, one invocation per 8 x 8 block (I, J), I <= J, of G's upper block triangle
// (gramBlocks in weighted-gram.kernel.ts). Each invocation sums every sample for its 64 entries by
// itself (four 4x4 quarters: 16 column values per sample for 64 multiply-adds) and writes G[i, j]
// and G[j, i]: no shared memory and no barriers, which a GPU emulated on the CPU (lavapipe,
// SwiftShader) runs far slower than the arithmetic. A diagonal block writes only its i <= j
// entries (to both places), so G is exactly symmetric.
// Numerics: f32, blocked summation in three levels of at most B = ceil(cbrt(samples)) terms each
// (B samples into `inner`, B inners into `middle`, the middles into `total`; Higham sec. 4.2), so
// every term w z_i z_j (two roundings) passes through at most 2 + 3 (B - 1) roundings:
// |error| <= gamma_{3B - 1} * sum_n w_n |z_ni z_nj|. 4096 samples: B = 16, 47 u ~ 2.8e-6 (the
// shared-memory tree it replaced: 71 u); 2^24 samples: 767 u ~ 4.6e-5. Plain additions only, so a
// compiler that reassociates inexact float ops (Mesa's NIR does) cannot undo it, as it could Kahan.

override WORKGROUP_SIZE: u32;
override MODE: u32 = 0u;
const TILE: u32 = 8u;

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

// Column c of Z at sample n (row = first element of the sample's row of X; last = its X_last in
// MODE 1); 0 past the last column (the padding of a ragged last tile).
fn column(n: u32, row: u32, last: f32, c: u32) -> f32 {
  if (c >= params.columns) {
    return 0.0;
  }
  if (MODE == 0u) {
    if (c == 0u) {
      return 1.0;
    }
    if (c <= params.features) {
      return samples[row + c - 1u];
    }
    return scores[n];
  }
  if (c + 1u < params.features) {
    return samples[row + c] - last;
  }
  return scores[n] - params.base - last * params.delta;
}

// Columns c0 .. c0 + 3 of Z at sample n.
fn columns4(n: u32, c0: u32) -> vec4f {
  let row = (n + params.rowOffset) * params.features;
  var last = 0.0;
  if (MODE == 1u) {
    last = samples[row + params.features - 1u];
  }
  return vec4f(column(n, row, last, c0), column(n, row, last, c0 + 1u), column(n, row, last, c0 + 2u), column(n, row, last, c0 + 3u));
}

// The smallest B with B^3 >= count: every level of the blocked sum adds at most B terms.
// (pow gives the estimate, the loops make it exact; 1625^3 < 2^32 <= 1626^3 bounds the search).
fn blockLength(count: u32) -> u32 {
  var b = clamp(u32(pow(f32(max(count, 1u)), 1.0 / 3.0)), 1u, 1625u);
  while (b > 1u && (b - 1u) * (b - 1u) * (b - 1u) >= count) {
    b -= 1u;
  }
  while (b < 1625u && b * b * b < count) {
    b += 1u;
  }
  return b;
}

// An 8 x 8 block of sums as four 4 x 4 quarters: lo/hi = columns 0..3 / 4..7 of the block's rows
// (first letter) and columns (second letter); column a of a quarter is its row a.
struct Block {
  ll: mat4x4f,
  lh: mat4x4f,
  hl: mat4x4f,
  hh: mat4x4f,
}

fn zeroBlock() -> Block {
  return Block(mat4x4f(), mat4x4f(), mat4x4f(), mat4x4f());
}

fn addBlocks(x: Block, y: Block) -> Block {
  return Block(x.ll + y.ll, x.lh + y.lh, x.hl + y.hl, x.hh + y.hh);
}

// Sum over samples [first, end) of w z_I z_J^T for rows i0 .. i0 + 7 and columns j0 .. j0 + 7.
fn blockSum(first: u32, end: u32, i0: u32, j0: u32) -> Block {
  var s = zeroBlock();
  for (var n = first; n < end; n++) {
    let w = weights[n];
    let il = w * columns4(n, i0);
    let ih = w * columns4(n, i0 + 4u);
    let jl = columns4(n, j0);
    let jh = columns4(n, j0 + 4u);
    s.ll[0] += il.x * jl;
    s.ll[1] += il.y * jl;
    s.ll[2] += il.z * jl;
    s.ll[3] += il.w * jl;
    s.lh[0] += il.x * jh;
    s.lh[1] += il.y * jh;
    s.lh[2] += il.z * jh;
    s.lh[3] += il.w * jh;
    s.hl[0] += ih.x * jl;
    s.hl[1] += ih.y * jl;
    s.hl[2] += ih.z * jl;
    s.hl[3] += ih.w * jl;
    s.hh[0] += ih.x * jh;
    s.hh[1] += ih.y * jh;
    s.hh[2] += ih.z * jh;
    s.hh[3] += ih.w * jh;
  }
  return s;
}

// Entry (a, c) of a block, 0 <= a, c < 8.
fn blockEntry(s: Block, a: u32, c: u32) -> f32 {
  if (a < 4u) {
    if (c < 4u) {
      return s.ll[a][c];
    }
    return s.lh[a][c - 4u];
  }
  if (c < 4u) {
    return s.hl[a - 4u][c];
  }
  return s.hh[a - 4u][c - 4u];
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let k = linearIndex(wid, lid, nwg, WORKGROUP_SIZE);
  // Blocks ordered by J, then I <= J: k = J (J + 1) / 2 + I.
  var bj = u32((sqrt(8.0 * f32(k) + 1.0) - 1.0) / 2.0);
  while (bj > 0u && bj * (bj + 1u) / 2u > k) {
    bj -= 1u;
  }
  while ((bj + 1u) * (bj + 2u) / 2u <= k) {
    bj += 1u;
  }
  let bi = k - bj * (bj + 1u) / 2u;
  let tiles = (params.columns + TILE - 1u) / TILE;
  if (bj >= tiles) {
    return;
  }
  let i0 = bi * TILE;
  let j0 = bj * TILE;
  let count = params.samples;
  let b = blockLength(count);
  var total = zeroBlock();
  for (var outer = 0u; outer < count; outer += b * b) {
    var middle = zeroBlock();
    let outerEnd = min(outer + b * b, count);
    for (var first = outer; first < outerEnd; first += b) {
      middle = addBlocks(middle, blockSum(first, min(first + b, outerEnd), i0, j0));
    }
    total = addBlocks(total, middle);
  }
  for (var a = 0u; a < TILE; a++) {
    let i = i0 + a;
    for (var c = 0u; c < TILE; c++) {
      let j = j0 + c;
      if (i < params.columns && j < params.columns && (bi < bj || a <= c)) {
        let sum = blockEntry(total, a, c);
        gram[i * params.columns + j] = sum;
        gram[j * params.columns + i] = sum;
      }
    }
  }
}
