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
// in guided-ig-keys.wgsl's), so x needs no barrier between passes.
//
// Dispatch: `rows` workgroups, 1-D, folded past 65,535 (prelude's linearWorkgroup).

override WORKGROUP_SIZE: u32;

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
@group(0) @binding(8) var<storage, read_write> attributionOut: array<f32>;

// The keys of a row of at most KEY_CACHE features, computed once per iteration (by
// storeAndCountKeys, which also makes the first histogram pass) and read by the second histogram
// pass, selectablePart and moveSelected instead of four keyOf evaluations (x does not change
// between them). catchUp stores each feature's |gradient| bits (+Inf when done, so its key is
// +Inf), storeAndCountKeys turns them into keys in place: the same f32 operations as keyOf. Rows
// longer than KEY_CACHE (past 32x32x3) use keyOf throughout. 12 KiB of the 16 KiB WebGPU guarantees.
const KEY_CACHE: u32 = 3072u;
const INF_BITS: u32 = 0x7f800000u;
var<workgroup> cachedKeys: array<u32, KEY_CACHE>;
var<private> rowStart: u32;
var<private> keysCached: bool;

// workgroupReduce's tree: (sum, sum, max) per invocation.
var<workgroup> tree: array<vec3f, WORKGROUP_SIZE>;

fn xMaxAt(i: u32) -> f32 {
  return xBase[i] + diff[i] * params.alphaMax;
}

// guided-ig-keys.wgsl's callback.
fn isDone(i: u32) -> bool {
  return x[i] == xMaxAt(i);
}

/**
 * Turns the invocation's cached |gradient| bits (catchUp's) into keys (each invocation reads back
 * only its own) and counts all its keys by their high bits: rankedKeyOfHighCounts's first pass.
 */
fn storeAndCountKeys(lid: u32, start: u32, end: u32, cell: f32) {
  for (var i = start + lid; i < end; i += WORKGROUP_SIZE) {
    var key: u32;
    if (keysCached) {
      key = keyOfMagnitude(bitcast<f32>(cachedKeys[i - start]), cell);
      cachedKeys[i - start] = key;
    } else {
      key = keyOf(i, cell);
    }
    countHighKey(key);
  }
}

// guided-ig-keys.wgsl's callback: keyOf(i, cell) as storeAndCountKeys stored it this iteration.
fn rankKey(i: u32, cell: f32) -> u32 {
  if (keysCached) {
    return cachedKeys[i - rowStart];
  }
  return keyOf(i, cell);
}

/**
 * (sum over the workgroup of v.x, of v.y, max of v.z), the same for every invocation (uniform): a
 * pairwise tree, invocation lid adding lid + stride for stride = WORKGROUP_SIZE / 2 .. 1 (a power
 * of two); each component's sums are the f32 additions of a scalar tree. Call from uniform control
 * flow; ends with a barrier, so the tree may be reused.
 */
fn workgroupReduce(lid: u32, v: vec3f) -> vec3f {
  tree[lid] = v;
  workgroupBarrier();
  for (var stride = WORKGROUP_SIZE / 2u; stride > 0u; stride /= 2u) {
    if (lid < stride) {
      let a = tree[lid];
      let b = tree[lid + stride];
      tree[lid] = vec3f(a.x + b.x, a.y + b.y, max(a.z, b.z));
    }
    workgroupBarrier();
  }
  let result = workgroupUniformLoad(&tree[0]);
  workgroupBarrier(); // every invocation has read the result before the tree is written again
  return result;
}

/**
 * The catch-up of feature i from `before` (its x so far): stored to x when it moves, or `always`.
 * Adds the feature to `reached` (the L1 distance to xIn, ., the largest not-done |gradient|) and
 * caches its |gradient| bits for storeAndCountKeys (+Inf when done).
 */
fn catchUpAt(i: u32, start: u32, before: f32, always: bool, reached: ptr<function, vec3f>) {
  let d = diff[i];
  let base = xBase[i];
  var at = before;
  let behind = d != 0.0 && (at - base) / d < params.alphaMin;
  if (behind) {
    at = base + d * params.alphaMin;
  }
  if (behind || always) {
    x[i] = at;
  }
  (*reached).x += abs(at - xIn[i]);
  let done = at == base + d * params.alphaMax; // isDone(i)
  let magnitude = abs(gradient[i]);
  if (!done) {
    (*reached).z = max((*reached).z, magnitude);
  }
  if (keysCached) {
    cachedKeys[i - start] = select(bitcast<u32>(magnitude), INF_BITS, done);
  }
}

/**
 * The step's start and the first iteration's catch-up in one pass: x = xStart, caught up when
 * `catchUp` (x stays xStart when the loop does not run); returns the invocation's (L1 distance to
 * xIn, |diff| sum, largest not-done |gradient|), each summed in feature order.
 */
fn startAndCatchUp(lid: u32, start: u32, end: u32, catchUp: bool) -> vec3f {
  var reached = vec3f(0.0);
  for (var i = start + lid; i < end; i += WORKGROUP_SIZE) {
    reached.y += abs(diff[i]);
    if (catchUp) {
      catchUpAt(i, start, xStart[i], true, &reached);
    } else {
      x[i] = xStart[i];
    }
  }
  return reached;
}

// selectablePart and moveSelected choose between cachedKeys and keyOf outside their loops: a
// per-feature `if (keysCached)` (rankKey) made 224x224x3 rows measurably slower on lavapipe.

/** The invocation's share of the selectable L1 distance: |x - xMax| over its selected features. */
fn selectablePart(lid: u32, start: u32, end: u32, cell: f32, threshold: u32) -> f32 {
  var sum = 0.0;
  if (keysCached) {
    for (var i = start + lid; i < end; i += WORKGROUP_SIZE) {
      sum += selectableAt(i, cachedKeys[i - start] <= threshold);
    }
  } else {
    for (var i = start + lid; i < end; i += WORKGROUP_SIZE) {
      sum += selectableAt(i, keyOf(i, cell) <= threshold);
    }
  }
  return sum;
}

fn selectableAt(i: u32, selected: bool) -> f32 {
  if (selected) {
    return abs(x[i] - xMaxAt(i));
  }
  return 0.0;
}

/**
 * Moves the invocation's selected features (all the way to xMax, or the fraction gamma of the
 * way) and, when `catchUp` (another iteration follows), catches each up right after its move, for
 * the next iteration: a feature's catch-up reads only its own x, so this is the order of a move
 * pass followed by a catch-up pass. Returns the catch-up's (distance, 0, largest) as
 * startAndCatchUp's.
 */
fn moveAndCatchUp(lid: u32, start: u32, end: u32, cell: f32, threshold: u32, allTheWay: bool, gamma: f32, catchUp: bool) -> vec3f {
  var reached = vec3f(0.0);
  if (keysCached) {
    for (var i = start + lid; i < end; i += WORKGROUP_SIZE) {
      let at = moveAt(i, cachedKeys[i - start] <= threshold, allTheWay, gamma);
      if (catchUp) {
        catchUpAt(i, start, at, false, &reached);
      }
    }
  } else {
    for (var i = start + lid; i < end; i += WORKGROUP_SIZE) {
      let at = moveAt(i, keyOf(i, cell) <= threshold, allTheWay, gamma);
      if (catchUp) {
        catchUpAt(i, start, at, false, &reached);
      }
    }
  }
  return reached;
}

/** Feature i's x after the move (stored when it moves). */
fn moveAt(i: u32, selected: bool, allTheWay: bool, gamma: f32) -> f32 {
  let before = x[i];
  if (!selected) {
    return before;
  }
  let to = xMaxAt(i);
  let moved = select(before + (to - before) * gamma, to, allTheWay);
  x[i] = moved;
  return moved;
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
  keysCached = params.rowLength <= KEY_CACHE;

  // Each iteration's catch-up runs in the pass before it: the first in the start's pass, the others
  // in the previous iteration's move (one pass over the row fewer per iteration).
  clearKeyCounts(lid.x); // the reduction's barriers order it before storeAndCountKeys
  var reached = workgroupReduce(lid.x, startAndCatchUp(lid.x, start, end, params.maxIterations > 0u));
  let total = reached.y;
  if (!(total > 0.0)) {
    // The loop does not run, so x stays xStart, uncaught up. (A total that is not > 0 leaves nothing
    // behind unless subnormal diffs were flushed from the sum; this keeps that case exact too.)
    for (var i = start + lid.x; i < end; i += WORKGROUP_SIZE) {
      x[i] = xStart[i];
    }
  }
  let l1Target = total * params.targetFraction;
  let closeEnough = params.tolerance * total;

  for (var iteration = 0u; iteration < params.maxIterations && total > 0.0; iteration++) {
    let distance = reached.x;
    if (abs(l1Target - distance) <= closeEnough) {
      break;
    }
    let cell = keyCell(reached.z);
    storeAndCountKeys(lid.x, start, end, cell); // keyCounts cleared before the reduction's barriers
    let threshold = rankedKeyOfHighCounts(lid.x, start, end, params.rank, cell);
    let selectable = workgroupReduce(lid.x, vec3f(selectablePart(lid.x, start, end, cell, threshold), 0.0, 0.0)).x;
    let gamma = (distance - l1Target) / selectable;
    let another = iteration + 1u < params.maxIterations;
    clearKeyCounts(lid.x); // rankedKeyOfHighCounts ended with a barrier
    let allTheWay = !(selectable > 0.0) || gamma > 1.0;
    reached = workgroupReduce(lid.x, moveAndCatchUp(lid.x, start, end, cell, threshold, allTheWay, gamma, another));
  }

  for (var i = start + lid.x; i < end; i += WORKGROUP_SIZE) {
    attributionOut[i] = attribution[i] + (x[i] - xStart[i]) * gradient[i];
  }
}
