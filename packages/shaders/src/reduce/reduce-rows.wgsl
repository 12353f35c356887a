// reduce-rows.wgsl
//
// Batched per-row reduction: output[r] = OP(input[r * rowLength .. (r + 1) * rowLength)) for
// r < rows, with OP one of sum, min, max, sum of squares. A "row" is one image (E = H*W*C
// values), so N images give N results, e.g. the normaliser of a saliency map, its range for a
// colormap, or the squared norm of a noise sample.
//
// Algorithm: a shared-memory reduction (after Harris, "Optimizing Parallel Reduction in CUDA",
// 2007), run as a sequence of passes over partials instead of float atomics. Each workgroup owns
// one CHUNK = WORKGROUP_SIZE * ITEMS_PER_THREAD slice of one row: every invocation folds up to
// ITEMS_PER_THREAD values with a stride of WORKGROUP_SIZE (coalesced loads) into partials[lid];
// then the first FOLD invocations each fold FOLD consecutive partials, and invocation 0 folds those
// (two sequential levels, WORKGROUP_SIZE <= FOLD^2) and writes one partial. Two barriers instead of
// a log2(WORKGROUP_SIZE)-level halving tree's eight: on software GPUs (llvmpipe, SwiftShader) every
// barrier switches through all of the workgroup's SIMD groups, and the tree took ~40% of a pass
// (16 x 224x224x3 sums, first pass: 40.6 -> 24.4 ms at load ~10). Partials are laid out row-major
// ([rows][groupsPerRow]), so the next pass is this same kernel over rows of length groupsPerRow;
// reduce-rows.ts repeats until one value per row is left (a 224x224x3 row needs 2 passes).
//
// Dispatch: rows * groupsPerRow workgroups, 1-D, folded past 65,535 (prelude's linearWorkgroup).
// WORKGROUP_SIZE must be a power of two. OP is an override constant, so each op is its own
// pipeline; shapes are uniforms, so one pipeline serves every shape.
//
// Numerics (f32 accumulation throughout):
// - min, max: exact (a comparison never rounds).
// - sum: recursive summation along a tree of depth h = sum over passes of (values per invocation
//   - 1) + (partials per level-1 fold - 1) + (level-1 results - 1), so |gpu - exact| <= gamma_h *
//   sum |x| with gamma_h = h u / (1 - h u), u = 2^-24 (Higham, "Accuracy and Stability of Numerical
//   Algorithms", 2nd ed., sec. 4.2). For 224x224x3 that is h = (15 + 15 + 15) + (0 + 15 + 2) = 62
//   (31 with the halving tree), far below the sqrt(E) ~ 390 ulps of a sequential loop's typical
//   error. reduceRowsErrorBound() computes h.
// - sum of squares (OP_SUMSQ, first pass only; later passes sum): one more rounding per square,
//   so h + 1, relative to sum x^2 (no cancellation: the bound is relative to the result).
// NaN and Inf (WGSL lets implementations assume neither exists, so the ops do not rely on it):
// - min and max test for NaN on the bit pattern: any NaN in a row makes the result NaN; +-Inf
//   are ordinary values (max of a row holding +Inf is +Inf).
// - sum and sum of squares use plain IEEE adds: a NaN, or +Inf together with -Inf, gives NaN;
//   +Inf alone gives +Inf. lavapipe and SwiftShader follow IEEE here (reduce-rows.gpu.test.ts).

override WORKGROUP_SIZE: u32;
override ITEMS_PER_THREAD: u32 = 16u;
override OP: u32 = 0u;
// Partials per level-1 fold and level-1 results per workgroup (WORKGROUP_SIZE <= FOLD * FOLD).
const FOLD: u32 = 16u;

const OP_SUM: u32 = 0u;
const OP_MIN: u32 = 1u;
const OP_MAX: u32 = 2u;
const OP_SUMSQ: u32 = 3u;

struct Params {
  rows: u32,
  rowLength: u32,
  groupsPerRow: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> input: array<f32>;
@group(0) @binding(2) var<storage, read_write> output: array<f32>;

var<workgroup> partials: array<f32, WORKGROUP_SIZE>;
var<workgroup> folded: array<f32, FOLD>;

fn combine(a: f32, b: f32) -> f32 {
  if (OP == OP_MIN || OP == OP_MAX) {
    let m = select(max(a, b), min(a, b), OP == OP_MIN);
    // NaN wins, whatever min/max do with it on this GPU.
    return select(select(m, b, isNan(b)), a, isNan(a));
  }
  return a + b;
}

fn load(i: u32) -> f32 {
  let x = input[i];
  if (OP == OP_SUMSQ) {
    return x * x;
  }
  return x;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let task = linearWorkgroup(wid, nwg);
  if (task >= params.rows * params.groupsPerRow) {
    return; // whole workgroup: the folded grid's ragged last row
  }
  let row = task / params.groupsPerRow;
  let start = (task % params.groupsPerRow) * (WORKGROUP_SIZE * ITEMS_PER_THREAD);
  let end = min(start + WORKGROUP_SIZE * ITEMS_PER_THREAD, params.rowLength);
  let base = row * params.rowLength;

  // Invocations with no value (a chunk shorter than the workgroup) sit out: no identity element
  // is needed, so a row of +Inf has min +Inf rather than some stand-in.
  let activeCount = min(end - start, WORKGROUP_SIZE);
  if (lid.x < activeCount) {
    var acc = load(base + start + lid.x);
    for (var i = start + lid.x + WORKGROUP_SIZE; i < end; i += WORKGROUP_SIZE) {
      acc = combine(acc, load(base + i));
    }
    partials[lid.x] = acc;
  }
  workgroupBarrier();

  let first = lid.x * FOLD;
  if (first < activeCount) {
    var acc = partials[first];
    for (var j = first + 1u; j < min(first + FOLD, activeCount); j++) {
      acc = combine(acc, partials[j]);
    }
    folded[lid.x] = acc;
  }
  workgroupBarrier();
  if (lid.x == 0u) {
    var acc = folded[0];
    for (var j = 1u; j < (activeCount + FOLD - 1u) / FOLD; j++) {
      acc = combine(acc, folded[j]);
    }
    output[task] = acc;
  }
}
