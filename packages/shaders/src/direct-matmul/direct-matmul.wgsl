// direct-matmul.wgsl
//
// Batched matrix product with an optional per-column bias and a fused activation, computed
// directly: no shared workgroup memory, no barriers.
//
//   out[b, r, c] = act(bias[c] + sum over k of A(b, r, k) * B(b, k, c))
//
// A(b, r, k) = a[bA, r, k] (a is [aBatches, rows, inner]) or a[bA, k, r] when TRANSPOSE_A
// ([aBatches, inner, rows]); B(b, k, c) = b[bB, k, c] ([bBatches, inner, cols]) or b[bB, c, k] when
// TRANSPOSE_B. bA = b % aBatches, bB = b % bBatches: an operand with one batch is broadcast.
// act (ACTIVATION): 0 linear, 1 relu, 2 relu6, 3 sigmoid, 4 elu, 5 leaky relu with slope alpha
// (activation.wgsl).
// The activation, the bias and the transposes are override constants (one pipeline per variant,
// directMatmulFor), not uniforms: SwiftShader runs the work of uniform-selected dead branches in
// every invocation (ADR 0009). The MNIST CNN's [1,64] x [64,10] + bias took 0.05-0.08 ms instead of
// 0.08-0.15 (headless Chromium, per-dispatch timestamps, 3 runs at load 8); bits unchanged.
//
// Why this shape: software adapters (SwiftShader, lavapipe) run a workgroup's invocations on CPU
// threads and emulate workgroupBarrier(); tfjs-webgpu's matmul programs (tiled, or one workgroup
// of 256 reducing each output behind 8 barriers for small outputs) are slow there: the MNIST CNN's
// [1,10] x [10,64] dense input gradient took 17-44 ms in headless Chromium (docs/decisions/0009).
// Here every invocation works alone.
//
// Dispatch: 1-D, one invocation per (b, tile of 4 rows, tile of 4 columns): count = batch *
// ceil(rows / 4) * ceil(cols / 4) (directMatmulInvocations), folded past 65,535 workgroups. Each
// invocation keeps a 4 x 4 block of sums, so every loaded A value is used 4 times and every
// loaded B value 4 times. The column tile varies fastest, so neighbouring invocations share rows
// of A. Lanes past the last row or column read clamped, valid addresses and are never written.
// Numerics: f32 products summed in k order, the bias added last: tolerance abs 1e-5, rel 1e-4
// against the f64 reference (sums of up to a few thousand terms).

override WORKGROUP_SIZE: u32;
// The fused activation's code (activation.wgsl); 0 (linear) unless set.
override ACTIVATION: u32 = 0u;
// Whether the bias binding is read; false unless set.
override HAS_BIAS: bool = false;
override TRANSPOSE_A: bool = false;
override TRANSPOSE_B: bool = false;

struct Params {
  count: u32,
  rows: u32,
  cols: u32,
  inner: u32,
  aBatches: u32,
  bBatches: u32,
  alpha: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
// Read only when HAS_BIAS (bind any storage buffer otherwise).
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = linearIndex(wid, lid, nwg, WORKGROUP_SIZE);
  if (i >= params.count) {
    return;
  }
  let colTiles = (params.cols + 3u) / 4u;
  let rowTiles = (params.rows + 3u) / 4u;
  let c0 = (i % colTiles) * 4u;
  let rest = i / colTiles;
  let r0 = (rest % rowTiles) * 4u;
  let batch = rest / rowTiles;
  // Rows r0..r0+3 and columns c0..c0+3, clamped so that lanes past the edge still read inside.
  let lastRow = params.rows - 1u;
  let lastCol = params.cols - 1u;
  let r = min(vec4u(r0) + vec4u(0u, 1u, 2u, 3u), vec4u(lastRow));
  let c = min(vec4u(c0) + vec4u(0u, 1u, 2u, 3u), vec4u(lastCol));
  // Offsets of A(b, r, 0) and B(b, 0, c), and the steps to k + 1.
  let aMatrix = (batch % params.aBatches) * params.rows * params.inner;
  let bMatrix = (batch % params.bBatches) * params.inner * params.cols;
  var ia: vec4u;
  var aStep: u32;
  if (TRANSPOSE_A) {
    ia = vec4u(aMatrix) + r;
    aStep = params.rows;
  } else {
    ia = vec4u(aMatrix) + r * params.inner;
    aStep = 1u;
  }
  var ib: vec4u;
  var bStep: u32;
  if (TRANSPOSE_B) {
    ib = vec4u(bMatrix) + c * params.inner;
    bStep = 1u;
  } else {
    ib = vec4u(bMatrix) + c;
    bStep = params.cols;
  }

  var acc0 = vec4f(0.0);
  var acc1 = vec4f(0.0);
  var acc2 = vec4f(0.0);
  var acc3 = vec4f(0.0);
  for (var k = 0u; k < params.inner; k++) {
    let av = vec4f(a[ia.x], a[ia.y], a[ia.z], a[ia.w]);
    let bv = vec4f(b[ib.x], b[ib.y], b[ib.z], b[ib.w]);
    acc0 += av.x * bv;
    acc1 += av.y * bv;
    acc2 += av.z * bv;
    acc3 += av.w * bv;
    ia += vec4u(aStep);
    ib += vec4u(bStep);
  }
  var shift = vec4f(0.0);
  if (HAS_BIAS) {
    shift = vec4f(bias[c.x], bias[c.y], bias[c.z], bias[c.w]);
  }
  let rowBase = batch * params.rows;
  store(rowBase + r0, c0, activate(acc0 + shift, ACTIVATION, params.alpha));
  if (r0 + 1u < params.rows) {
    store(rowBase + r0 + 1u, c0, activate(acc1 + shift, ACTIVATION, params.alpha));
  }
  if (r0 + 2u < params.rows) {
    store(rowBase + r0 + 2u, c0, activate(acc2 + shift, ACTIVATION, params.alpha));
  }
  if (r0 + 3u < params.rows) {
    store(rowBase + r0 + 3u, c0, activate(acc3 + shift, ACTIVATION, params.alpha));
  }
}

// Writes columns c0..c0+3 of output row `row` (b * rows + r), skipping columns past cols.
fn store(row: u32, c0: u32, v: vec4f) {
  let at = row * params.cols + c0;
  out[at] = v.x;
  if (c0 + 1u < params.cols) {
    out[at + 1u] = v.y;
  }
  if (c0 + 2u < params.cols) {
    out[at + 2u] = v.z;
  }
  if (c0 + 3u < params.cols) {
    out[at + 3u] = v.w;
  }
}
