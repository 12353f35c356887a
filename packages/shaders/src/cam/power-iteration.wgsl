// power-iteration.wgsl
//
// Leading eigenpair of a batch of symmetric positive semi-definite d x d matrices by power
// iteration (von Mises; Golub & Van Loan, "Matrix Computations", sec. 8.2.1). Eigen-CAM (Muhammad &
// Yeasin, IJCNN 2020) and pytorch-grad-cam's eigen_smooth need the first principal component of
// the centred activations X (positions x channels); with M = X X^T (positions <= channels) or
// X^T X, the leading eigenvector gives it without an SVD.
//   v_0 = hash start vector (deterministic, shared with the CPU reference), normalised
//   v_{t+1} = M v_t / ||M v_t||, until max_i |v_{t+1,i} - v_{t,i}| < tolerance or `iterations`
//   value = v^T M v; v's sign is chosen so that v . signs >= 0 (SVD's sign is arbitrary; the caller
//   passes a vector that makes the projection correlate positively with the channel sum).
// A zero matrix gives value 0 and the normalised start vector.
//
// Dispatch: one workgroup per matrix (linearWorkgroup); invocations own rows i = lid, lid + WG, ...
// v lives in workgroup memory, so d <= MAX_SIZE (1024: 2 x 4 KiB + reduction scratch). The stop
// test uses reduce()'s uniform results (workgroupUniformLoad), so every invocation leaves the loop together.
// Numerics: each step is a d-term f32 dot product per row; the vector converges to f32 precision
// (~1e-6 relative) at rate lambda_2 / lambda_1. Tolerance in power-iteration.kernel.ts.

override WORKGROUP_SIZE: u32;
const MAX_SIZE: u32 = 1024u;

struct Params {
  images: u32,
  size: u32,
  iterations: u32,
  tolerance: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> matrices: array<f32>;
@group(0) @binding(2) var<storage, read> signs: array<f32>;
@group(0) @binding(3) var<storage, read_write> vectors: array<f32>;
@group(0) @binding(4) var<storage, read_write> values: array<f32>;

var<workgroup> v: array<f32, MAX_SIZE>;
var<workgroup> y: array<f32, MAX_SIZE>;
var<workgroup> scratch: array<f32, WORKGROUP_SIZE>;
var<workgroup> reduced: f32;

// lowbias32 integer hash (C. Wellons); startValue(i) in [-0.5, 0.5), identical in powerIterationRef.
fn hash(x0: u32) -> u32 {
  var x = x0;
  x ^= x >> 16u;
  x *= 0x7feb352du;
  x ^= x >> 15u;
  x *= 0x846ca68bu;
  x ^= x >> 16u;
  return x;
}

fn startValue(i: u32) -> f32 {
  return f32(hash(i + 1u) >> 8u) / 16777216.0 - 0.5;
}

// Sum (op 0) or max (op 1) of each invocation's `value` over the workgroup, uniform: invocation 0
// walks the pairwise tree (stride WORKGROUP_SIZE / 2 down to 1, the same additions in the same
// order as a tree with a barrier per level) and the others load its result. Two barriers (the one
// before the walk, and workgroupUniformLoad's) instead of two plus one per level: on SwiftShader a
// barrier resumes every SIMD group of the workgroup (session 29). The uniform result also decides
// the loop's exit, and its barrier orders this reduction's reads of scratch before the next one's writes.
fn reduce(value: f32, op: u32, lid: u32) -> f32 {
  scratch[lid] = value;
  workgroupBarrier();
  if (lid == 0u) {
    for (var stride = WORKGROUP_SIZE / 2u; stride > 0u; stride /= 2u) {
      for (var l = 0u; l < stride; l++) {
        scratch[l] = select(scratch[l] + scratch[l + stride], max(scratch[l], scratch[l + stride]), op == 1u);
      }
    }
    reduced = scratch[0];
  }
  return workgroupUniformLoad(&reduced);
}

// y = M v for the rows this invocation owns.
fn multiply(base: u32, d: u32, lid: u32) {
  for (var i = lid; i < d; i += WORKGROUP_SIZE) {
    var s = 0.0;
    let row = base + i * d;
    for (var j = 0u; j < d; j++) {
      s += matrices[row + j] * v[j];
    }
    y[i] = s;
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let n = linearWorkgroup(wid, nwg);
  if (n >= params.images) {
    return;
  }
  let d = params.size;
  let base = n * d * d;
  let l = lid.x;
  var part = 0.0;
  for (var i = l; i < d; i += WORKGROUP_SIZE) {
    v[i] = startValue(i);
    part += v[i] * v[i];
  }
  let startNorm = sqrt(reduce(part, 0u, l));
  for (var i = l; i < d; i += WORKGROUP_SIZE) {
    v[i] /= startNorm;
  }
  // v is written by its rows' invocations and read by all: every write is followed by a barrier
  // (this one, or a reduction's) before the next reads, and every read by one before the next writes.
  workgroupBarrier();
  for (var it = 0u; it < params.iterations; it++) {
    multiply(base, d, l);
    part = 0.0;
    for (var i = l; i < d; i += WORKGROUP_SIZE) {
      part += y[i] * y[i];
    }
    let norm = sqrt(reduce(part, 0u, l));
    var change = 0.0;
    if (norm > 0.0) {
      for (var i = l; i < d; i += WORKGROUP_SIZE) {
        let next = y[i] / norm;
        change = max(change, abs(next - v[i]));
        v[i] = next;
      }
    }
    let largest = reduce(change, 1u, l);
    if (norm == 0.0 || largest < params.tolerance) {
      break;
    }
  }
  // Rayleigh quotient and sign.
  multiply(base, d, l);
  part = 0.0;
  var agreement = 0.0;
  for (var i = l; i < d; i += WORKGROUP_SIZE) {
    part += v[i] * y[i];
    agreement += v[i] * signs[n * d + i];
  }
  let value = reduce(part, 0u, l);
  let sign = select(1.0, -1.0, reduce(agreement, 0u, l) < 0.0);
  for (var i = l; i < d; i += WORKGROUP_SIZE) {
    vectors[n * d + i] = sign * v[i];
  }
  if (l == 0u) {
    values[n] = value;
  }
}
