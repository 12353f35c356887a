// guided-ig-step.wgsl
//
// One whole step of Guided IG (PAIR-code/saliency GuidedIG's inner loop) for one row (image) per
// workgroup, with no readback: the loop's decisions are made in the workgroup. With
// xMin = xBase + diff * alphaMin, xMax = xBase + diff * alphaMax and x starting at xStart:
//   total  = sum |diff|                    (the row's L1 distance from baseline to input)
//   target = total * targetFraction        (PAIR's l1_target, targetFraction = 1 - alpha)
//   while total > 0, at most maxIterations times:
//     catch-up: x[i] = xMin[i] where diff[i] != 0 and (x[i] - xBase[i]) / diff[i] < alphaMin
//               (PAIR: x[x_alpha < alpha_min] = x_min)
//     distance = sum |x - xIn|; stop when |target - distance| <= tolerance * total
//     selection: features not at xMax whose quantised |gradient| key is at most the rank-th
//                smallest (guided-ig-keys.wgsl, the same keys as core's selection.ts)
//     selectable = sum over selected of |x - xMax|
//     gamma = (distance - l1Target) / selectable; selected features go to xMax when gamma > 1 or
//             nothing is selectable (xMax assigned, so x == xMax marks them done exactly), else
//             x += (xMax - x) * gamma
//   attributionOut = attribution + (x - xStart) * gradient   (the gradient is constant in a step:
//             PAIR's per-iteration sum of (x_next - x) * gradient, summed once)
//
// Sums are f32 in a fixed order (each invocation adds its strided features in index order, then a
// pairwise tree over the invocations), so the CPU reference (guidedIgStepRef) repeats them
// operation for operation. The loop's conditions come from workgroupUniformLoad, so the barriers
// inside the loop are in uniform control flow.
//
// Each invocation owns features start + lid, start + lid + WORKGROUP_SIZE, ... in every pass (and
// in guided-ig-keys.wgsl's), so x and the keys (kept in attributionOut until the last pass) need
// no barrier between passes.
//
// Work per iteration, as measured on lavapipe (one workgroup runs on one CPU thread there):
// - after a move that sent every selected feature to xMax (usually all but a step's last), the next
//   iteration's high counts are derived from this one's (nextCountsAfterSelection) and the move's
//   pass counts the low bits of the next rank-th key's bin, so that iteration makes no counting
//   pass of its own; the move's pass checks that no other key changed (its reached.y, and the
//   cell), else the keys are counted again (the same keys, so the same selection either way);
// - the per-feature passes are branch-free (select, `&`, stores of unchanged values): a divergent
//   branch per feature, loads inside it, cost more there than the work it skipped.
//
// Dispatch: `rows` workgroups, 1-D, folded past 65,535 (prelude's linearWorkgroup).

override WORKGROUP_SIZE: u32;
// false makes every iteration after a move discard its stored keys and derived counts and compute and
// count the keys again, the path taken when another key changed or the cell moved (see below): the
// parity test runs that path through this switch, since no input is known to reach it otherwise. Same
// bits either way.
override TRUST_DERIVED_COUNTS: bool = true;
// Rows of at most ROW_SLOTS * WORKGROUP_SIZE features (the host chooses, guidedIgStepFor): each
// invocation keeps its features' state (x, key, xBase, diff, |gradient|, xIn) in private arrays,
// loaded from storage once at the step's start and x stored once at its end. Slot k of an invocation
// is its k-th feature (start + lid + k * WORKGROUP_SIZE), so every pass indexes the arrays by its
// loop counter. On lavapipe a storage access is a per-lane sequence (mask test and branch, extract,
// bounds check, scalar load, insert; no gathers) and a private one costs less: the 64 step kernels of
// the gradient-small bench (3,072 features) cost 0.74-0.77x the CPU (session 35). On SwiftShader the
// same variant made the kernel ~1.5x slower, so the host gives it to lavapipe only. The same
// operations in the same order, so the same bits.
override SHORT_ROW: bool = false;

struct Params {
  rows: u32,
  rowLength: u32,
  rank: u32,
  maxIterations: u32,
  alphaMin: f32,
  alphaMax: f32,
  targetFraction: f32,
  tolerance: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> gradient: array<f32>;
@group(0) @binding(2) var<storage, read> xIn: array<f32>;
@group(0) @binding(3) var<storage, read> xBase: array<f32>;
@group(0) @binding(4) var<storage, read> diff: array<f32>;
@group(0) @binding(5) var<storage, read> xStart: array<f32>;
@group(0) @binding(6) var<storage, read> attribution: array<f32>;
@group(0) @binding(7) var<storage, read_write> x: array<f32>;
// The step's attribution, written by the last pass; until then each feature's word holds its key
// (below), so the words are u32 and the attribution is stored as its bits.
@group(0) @binding(8) var<storage, read_write> attributionOut: array<u32>;

// Each feature's key, held for the passes of an iteration that read it (the low counts,
// selectablePart, moveAndCatchUp) instead of keyOf evaluations (x does not change between them), in
// attributionOut's word of the feature (written by its own invocation, overwritten by the
// attribution at the end): no workgroup memory to zero-initialise at every dispatch (12 KiB of it
// cost ~1/4 of a 32x32x3 step's GPU time on SwiftShader, ~3% of its CPU time on lavapipe; session
// 29) and no row-length limit (224x224x3 rows computed keyOf in every pass before). The step's first catch-up
// stores each feature's |gradient| bits (+Inf when done), countKeys turns them into keys in place;
// a move's catch-up stores the key itself, with its iteration's cell (the same f32 operations as keyOf).
const INF_BITS: u32 = 0x7f800000u;

// What the keys' words hold when an iteration starts (countKeys).
const STORED_MAGNITUDES: u32 = 0u; // |gradient| bits (the step's first catch-up)
const STORED_KEYS: u32 = 1u; // the keys, with this iteration's cell
const STORED_STALE: u32 = 2u; // keys with another cell: recomputed by keyOf
// moveAndCatchUp's nextBin when no low bits are counted.
const NO_BIN: u32 = 0xffffffffu;

// SHORT_ROW's features per invocation (guided-ig-step.kernel.ts's ROW_SLOTS, the same number): a
// private array per feature state, 6 x 64 words per invocation, loaded from storage by the first pass.
const ROW_SLOTS: u32 = 64u;
var<private> rowX: array<f32, ROW_SLOTS>;
var<private> rowKey: array<u32, ROW_SLOTS>;
var<private> rowBase: array<f32, ROW_SLOTS>;
var<private> rowDiff: array<f32, ROW_SLOTS>;
var<private> rowMagnitude: array<f32, ROW_SLOTS>;
var<private> rowXIn: array<f32, ROW_SLOTS>;
// The row's first feature (slotOf: the slot of a feature index).
var<private> rowStart: u32;

// Feature i (slot k of its invocation)'s state: private with SHORT_ROW, else storage.
fn xOf(i: u32, k: u32) -> f32 {
  if (SHORT_ROW) {
    return rowX[k];
  }
  return x[i];
}

fn storeX(i: u32, k: u32, value: f32) {
  if (SHORT_ROW) {
    rowX[k] = value;
  } else {
    x[i] = value;
  }
}

fn keyWordOf(i: u32, k: u32) -> u32 {
  if (SHORT_ROW) {
    return rowKey[k];
  }
  return attributionOut[i];
}

fn storeKeyWord(i: u32, k: u32, word: u32) {
  if (SHORT_ROW) {
    rowKey[k] = word;
  } else {
    attributionOut[i] = word;
  }
}

fn baseOf(i: u32, k: u32) -> f32 {
  if (SHORT_ROW) {
    return rowBase[k];
  }
  return xBase[i];
}

fn diffOf(i: u32, k: u32) -> f32 {
  if (SHORT_ROW) {
    return rowDiff[k];
  }
  return diff[i];
}

fn magnitudeOf(i: u32, k: u32) -> f32 {
  if (SHORT_ROW) {
    return rowMagnitude[k];
  }
  return abs(gradient[i]);
}

fn xMaxOf(i: u32, k: u32) -> f32 {
  return baseOf(i, k) + diffOf(i, k) * params.alphaMax;
}

fn xInOf(i: u32, k: u32) -> f32 {
  if (SHORT_ROW) {
    return rowXIn[k];
  }
  return xIn[i];
}

// workgroupReduce's tree: (sum, sum, max) per invocation, and its result.
var<workgroup> tree: array<vec3f, WORKGROUP_SIZE>;
var<workgroup> reduced: vec3f;

// Slot of feature i in its invocation's private arrays (SHORT_ROW; unused otherwise).
fn slotOf(i: u32) -> u32 {
  return (i - rowStart) / WORKGROUP_SIZE;
}

// guided-ig-keys.wgsl's callback: from x's private slot with SHORT_ROW (storage's x is written only
// at the step's end there).
fn isDone(i: u32) -> bool {
  let k = slotOf(i);
  return xOf(i, k) == xMaxOf(i, k);
}

/**
 * The iteration's keys counted by their high bits (rankedKeyOfHighCounts's first pass), made from
 * what the keys' words hold (`stored`, uniform: one loop per case) and stored there.
 */
fn countKeys(lid: u32, start: u32, end: u32, cell: f32, stored: u32) {
  var k = 0u; // the slot of feature i (SHORT_ROW)
  if (stored == STORED_KEYS) {
    for (var i = start + lid; i < end; i += WORKGROUP_SIZE) {
      countHighKey(keyWordOf(i, k));
      k++;
    }
  } else if (stored == STORED_MAGNITUDES) {
    for (var i = start + lid; i < end; i += WORKGROUP_SIZE) {
      let key = keyOfMagnitude(bitcast<f32>(keyWordOf(i, k)), cell);
      storeKeyWord(i, k, key);
      countHighKey(key);
      k++;
    }
  } else {
    for (var i = start + lid; i < end; i += WORKGROUP_SIZE) {
      let key = keyOf(i, cell);
      storeKeyWord(i, k, key);
      countHighKey(key);
      k++;
    }
  }
}

// guided-ig-keys.wgsl's callback: keyOf(i, cell) as countKeys stored it this iteration.
fn rankKey(i: u32, cell: f32) -> u32 {
  return keyWordOf(i, slotOf(i));
}

/**
 * (sum over the workgroup of v.x, of v.y, max of v.z), the same for every invocation (uniform): a
 * pairwise tree, entry l adding entry l + stride for stride = WORKGROUP_SIZE / 2 .. 1 (a power of
 * two); each component's sums are the f32 additions of a scalar tree. Invocation 0 walks the whole
 * tree (63 additions at 64 invocations): on lavapipe that was ~5% of the 64 step kernels' time
 * cheaper than a level per barrier with a divergent `lid < stride` (session 29; the same additions
 * in the same order). Call from uniform control flow.
 */
fn workgroupReduce(lid: u32, v: vec3f) -> vec3f {
  tree[lid] = v;
  workgroupBarrier();
  if (lid == 0u) {
    for (var stride = WORKGROUP_SIZE / 2u; stride > 0u; stride /= 2u) {
      for (var l = 0u; l < stride; l++) {
        let a = tree[l];
        let b = tree[l + stride];
        tree[l] = vec3f(a.x + b.x, a.y + b.y, max(a.z, b.z));
      }
    }
    reduced = tree[0];
  }
  // The result has a variable of its own: the next call writes the tree, not `reduced`, and invocation
  // 0 writes `reduced` only past that call's first barrier, so no barrier is needed here (one barrier
  // ~4 us on SwiftShader, session 29).
  return workgroupUniformLoad(&reduced);
}

/**
 * The catch-up of feature i (base xBase[i], difference d, upper end xMax) from `before` (its x so
 * far), stored to x. Adds the feature to `reached` (the L1 distance to xIn, ., the largest not-done
 * |gradient|); returns whether it is done. Branch-free: on lavapipe a branch per feature costs
 * more than the stores and loads it skips (same values).
 */
fn catchUpAt(i: u32, k: u32, base: f32, d: f32, xMax: f32, before: f32, magnitude: f32, reached: ptr<function, vec3f>) -> bool {
  let behind = (d != 0.0) & ((before - base) / d < params.alphaMin); // `&`: no branch
  let at = select(before, base + d * params.alphaMin, behind);
  storeX(i, k, at);
  (*reached).x += abs(at - xInOf(i, k));
  let done = at == xMax; // isDone(i)
  (*reached).z = select(max((*reached).z, magnitude), (*reached).z, done);
  return done;
}

/**
 * The step's start and the first iteration's catch-up in one pass: x = xStart, caught up when
 * `catchUp` (x stays xStart when the loop does not run), its |gradient| bits cached (+Inf when
 * done) for countKeys; returns the invocation's (L1 distance to xIn, |diff| sum, largest not-done
 * |gradient|), each summed in feature order.
 */
fn startAndCatchUp(lid: u32, start: u32, end: u32, catchUp: bool) -> vec3f {
  var reached = vec3f(0.0);
  var k = 0u;
  for (var i = start + lid; i < end; i += WORKGROUP_SIZE) {
    let d = diff[i];
    reached.y += abs(d);
    if (SHORT_ROW) {
      loadSlot(i, k, d);
    }
    if (catchUp) {
      let base = baseOf(i, k);
      let magnitude = magnitudeOf(i, k);
      let done = catchUpAt(i, k, base, d, base + d * params.alphaMax, xStart[i], magnitude, &reached);
      storeKeyWord(i, k, select(bitcast<u32>(magnitude), INF_BITS, done));
    } else {
      storeX(i, k, xStart[i]);
    }
    k++;
  }
  return reached;
}

/** Slot k's state from storage, diff[i] = d already loaded (SHORT_ROW; x and the key are written by the step's first pass). */
fn loadSlot(i: u32, k: u32, d: f32) {
  rowBase[k] = xBase[i];
  rowDiff[k] = d;
  rowMagnitude[k] = abs(gradient[i]);
  rowXIn[k] = xIn[i];
}

/** The invocation's share of the selectable L1 distance: |x - xMax| over its selected features. */
fn selectablePart(lid: u32, start: u32, end: u32, threshold: u32) -> f32 {
  var sum = 0.0;
  var k = 0u;
  for (var i = start + lid; i < end; i += WORKGROUP_SIZE) {
    sum += selectableAt(i, k, keyWordOf(i, k) <= threshold);
    k++;
  }
  return sum;
}

// Branch-free (adding +0.0 leaves the non-negative sum's bits): on lavapipe a branch per feature
// costs more than the loads it skips.
fn selectableAt(i: u32, k: u32, selected: bool) -> f32 {
  return select(0.0, abs(xOf(i, k) - xMaxOf(i, k)), selected);
}

/** How moveAndCatchUp moves the selected features, and what it prepares for the next iteration. */
struct Move {
  threshold: u32,
  allTheWay: bool,
  gamma: f32,
  // Another iteration may follow: catch each feature up and store its key (with the iteration's cell).
  catchUp: bool,
  // The high bin whose low bits to count for the next iteration (nextCountsAfterSelection), or NO_BIN.
  nextBin: u32,
}

/**
 * Moves the invocation's selected features (all the way to xMax, or the fraction gamma of the
 * way) and, when `m.catchUp`, catches each up right after its move, for the next iteration (a
 * feature's catch-up reads only its own x, so this is the order of a move pass followed by a
 * catch-up pass), stores its key and counts it in `m.nextBin`'s low counts. Returns the catch-up's
 * (distance, keys that changed other than selected ones becoming done, largest) as
 * startAndCatchUp's (the second sum says whether the derived counts hold).
 */
fn moveAndCatchUp(lid: u32, start: u32, end: u32, m: Move) -> vec3f {
  var reached = vec3f(0.0);
  var k = 0u;
  for (var i = start + lid; i < end; i += WORKGROUP_SIZE) {
    var key = keyWordOf(i, k);
    let selected = key <= m.threshold;
    let d = diffOf(i, k);
    let base = baseOf(i, k);
    let xMax = base + d * params.alphaMax;
    let before = xOf(i, k);
    let at = select(before, select(before + (xMax - before) * m.gamma, xMax, m.allTheWay), selected);
    if (!m.catchUp) {
      storeX(i, k, at);
      k++;
      continue;
    }
    let done = catchUpAt(i, k, base, d, xMax, at, magnitudeOf(i, k), &reached);
    // A key changes only when its feature becomes done (x = xMax): selected ones moved all the way,
    // the odd one by rounding or catch-up; any other change (done undone) is counted here.
    reached.y += f32((done != (before == xMax)) & !selected);
    key = select(key, maxKey() + 1u, done);
    storeKeyWord(i, k, key);
    countLowKey(key, m.nextBin);
    k++;
  }
  return reached;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let row = linearWorkgroup(wid, nwg);
  if (row >= params.rows) {
    return; // whole workgroup: the folded grid's ragged last row
  }
  let start = row * params.rowLength;
  let end = start + params.rowLength;
  rowStart = start;

  // Each iteration's catch-up runs in the pass before it: the first in the start's pass, the others
  // in the previous iteration's move (one pass over the row fewer per iteration).
  clearKeyCounts(lid.x); // the reduction's barriers order it before countKeys
  var reached = workgroupReduce(lid.x, startAndCatchUp(lid.x, start, end, params.maxIterations > 0u));
  let total = reached.y;
  if (!(total > 0.0)) {
    // The loop does not run, so x stays xStart, uncaught up. (A total that is not > 0 leaves nothing
    // behind unless subnormal diffs were flushed from the sum; this keeps that case exact too.)
    var k = 0u;
    for (var i = start + lid.x; i < end; i += WORKGROUP_SIZE) {
      storeX(i, k, xStart[i]);
      k++;
    }
  }
  let l1Target = total * params.targetFraction;
  let closeEnough = params.tolerance * total;

  var stored = STORED_MAGNITUDES;
  var storedCell = 0.0;
  // The previous move sent every selected feature to xMax and nextCountsAfterSelection derived
  // this iteration's counts from the previous ones (valid while no other key changed: checked here).
  var derived = false;
  for (var iteration = 0u; iteration < params.maxIterations && total > 0.0; iteration++) {
    let distance = reached.x;
    if (abs(l1Target - distance) <= closeEnough) {
      break;
    }
    let cell = keyCell(reached.z);
    if (stored == STORED_KEYS && (cell != storedCell || reached.y != 0.0 || !TRUST_DERIVED_COUNTS)) {
      stored = STORED_STALE;
    }
    let countsHold = derived && stored == STORED_KEYS && TRUST_DERIVED_COUNTS;
    if (derived && !countsHold) {
      clearKeyCounts(lid.x);
      workgroupBarrier();
    }
    if (!countsHold) {
      countKeys(lid.x, start, end, cell, stored); // counts cleared before a barrier
    }
    let threshold = rankedKeyOfHighCounts(lid.x, start, end, params.rank, cell, countsHold);
    let selectable = workgroupReduce(lid.x, vec3f(selectablePart(lid.x, start, end, threshold), 0.0, 0.0)).x;
    let gamma = (distance - l1Target) / selectable;
    let allTheWay = !(selectable > 0.0) || gamma > 1.0;
    let another = iteration + 1u < params.maxIterations;
    derived = allTheWay && another;
    var nextBin = NO_BIN;
    if (derived) {
      if (lid.x == 0u) {
        nextCountsAfterSelection(params.rank);
      }
      nextBin = workgroupUniformLoad(&nextHigh);
    } else {
      clearKeyCounts(lid.x); // rankedKeyOfHighCounts ended with a barrier; the reduction's order it before countKeys
    }
    reached = workgroupReduce(lid.x, moveAndCatchUp(lid.x, start, end, Move(threshold, allTheWay, gamma, another, nextBin)));
    stored = STORED_KEYS;
    storedCell = cell;
  }

  var k = 0u;
  for (var i = start + lid.x; i < end; i += WORKGROUP_SIZE) {
    let at = xOf(i, k);
    if (SHORT_ROW) {
      x[i] = at;
    }
    attributionOut[i] = bitcast<u32>(attribution[i] + (at - xStart[i]) * gradient[i]);
    k++;
  }
}
