// guided-ig-keys.wgsl — Guided IG's quantised |gradient| keys and the rank-th smallest key of one
// row, found in workgroup memory (guided-ig-step's selection; CPU reference: guided-ig-keys.ref.ts).
//
//   key[i] = isDone(i) ? +Inf : round(|gradient[i]| / cell),  cell = keyCell(largest not-done |gradient|)
//
// The same f32 operations as selection.ts's tfjs ops (Abs, Multiply by 2^-KEY_BITS, RealDiv, Round
// half to even), one rounding each. The rank-th key is found by a two-level radix select (the full
// 2^14 + 1 bin histogram, 64 KiB, does not fit the 16 KiB WebGPU guarantees):
//   1. count the keys by their high bits (key >> LOW_BITS; one overflow bin for +Inf);
//      invocation 0 walks the bins to the one holding the rank-th key;
//   2. count the keys of that bin by their low bits; invocation 0 walks to the rank-th.
// Counts are integers added with atomics: exact and independent of invocation order. After a
// selection whose features all reached x_max (their keys became +Inf), nextCountsAfterSelection
// derives the next iteration's high counts from these without a pass over the row, and names the
// high bin the next rank-th key falls in, so that the including kernel can count that bin's low
// bits while it moves the features (both exact only if no other key changed: the includer checks).
// A NaN key (a NaN or infinite gradient) counts as +Inf and is never selected, as in tfjs's
// LessEqual.
//
// The including kernel binds `gradient` and defines `fn isDone(i: u32) -> bool` (the feature reached
// x_max) and `fn rankKey(i: u32, cell: f32) -> u32` (keyOf(i, cell), or the same key stored earlier),
// and declares `override WORKGROUP_SIZE`. A row is gradient[start .. end), each invocation
// visiting start + lid, start + lid + WORKGROUP_SIZE, ... (the including kernel uses the same stride,
// so an invocation only ever reads features it wrote itself).

override KEY_BITS: u32 = 14u;
const LOW_BITS: u32 = 7u;
const LOW_BINS: u32 = 128u; // 1 << LOW_BITS
// High bins 0 ..= MAX_KEY >> LOW_BITS, then the overflow bin: sized for KEY_BITS <= 14.
const BINS: u32 = 130u;

var<workgroup> highCounts: array<atomic<u32>, BINS>;
var<workgroup> lowCounts: array<atomic<u32>, LOW_BINS>;
// The high bin holding the rank-th key, the rank left inside it, and the rank-th key.
var<workgroup> chosenHigh: u32;
var<workgroup> rankInBin: u32;
var<workgroup> chosenKey: u32;
// nextCountsAfterSelection's high bin of the next rank-th key.
var<workgroup> nextHigh: u32;

fn maxKey() -> u32 {
  return 1u << KEY_BITS;
}

fn overflowHigh() -> u32 {
  return (maxKey() >> LOW_BITS) + 1u;
}

/** The grid cell of a row whose largest not-done |gradient| is `scale` (0 when all are done). */
fn keyCell(scale: f32) -> f32 {
  // A power-of-two scaling (2^-KEY_BITS from its bits, not exp2, which may be approximate): exact
  // as tfjs's Multiply by 2^-KEY_BITS, barring subnormals.
  return select(1.0, scale, scale > 0.0) * bitcast<f32>((127u - KEY_BITS) << 23u);
}

/** Key of feature i: maxKey() + 1 stands for +Inf (done, or a NaN gradient). */
fn keyOf(i: u32, cell: f32) -> u32 {
  return select(keyOfMagnitude(abs(gradient[i]), cell), maxKey() + 1u, isDone(i));
}

/** Key of a not-done feature whose |gradient| is `magnitude` (+Inf or NaN give maxKey() + 1). */
fn keyOfMagnitude(magnitude: f32, cell: f32) -> u32 {
  let key = round(magnitude / cell);
  // Branch-free (`|`, select): on a software GPU a branch per feature costs more than the conversion.
  return select(u32(key), maxKey() + 1u, isNan(key) | (key > f32(maxKey())));
}

fn highOf(key: u32) -> u32 {
  return select(key >> LOW_BITS, overflowHigh(), key > maxKey());
}

/** Clears both levels' counts (a barrier must follow before anyone counts). */
fn clearKeyCounts(lid: u32) {
  for (var b = lid; b < BINS; b += WORKGROUP_SIZE) {
    atomicStore(&highCounts[b], 0u);
  }
  for (var b = lid; b < LOW_BINS; b += WORKGROUP_SIZE) {
    atomicStore(&lowCounts[b], 0u);
  }
}

/** Walks the high counts from the first; returns the bin where the running count reaches `rank`, and the rank left in it. */
fn walkHighCounts(rank: u32) -> vec2u {
  var before = 0u;
  var bin = 0u;
  for (; bin < overflowHigh(); bin++) {
    let here = atomicLoad(&highCounts[bin]);
    if (before + here >= rank) {
      break;
    }
    before += here;
  }
  return vec2u(bin, rank - before);
}

/** walkHighCounts over the low counts (the last low bin is never walked past). */
fn walkLowCounts(rank: u32) -> u32 {
  var before = 0u;
  var bin = 0u;
  for (; bin < LOW_BINS - 1u; bin++) {
    let here = atomicLoad(&lowCounts[bin]);
    if (before + here >= rank) {
      break;
    }
    before += here;
  }
  return bin;
}

/** Adds `key` to the high-bit counts (between clearKeyCounts and rankedKeyOfHighCounts). */
fn countHighKey(key: u32) {
  atomicAdd(&highCounts[highOf(key)], 1u);
}

/** Adds `key` to the low-bit counts when it falls in high bin `high`. */
fn countLowKey(key: u32, high: u32) {
  if (highOf(key) == high) {
    atomicAdd(&lowCounts[key & (LOW_BINS - 1u)], 1u);
  }
}

/**
 * The rank-th smallest key (1 = the smallest) of the row gradient[start .. end), capped at maxKey()
 * (a feature is selected when its key is <= it, so +Inf keys never are, and all finite keys are
 * when fewer than rank are finite), once every invocation has counted its keys by countHighKey
 * since clearKeyCounts (with a barrier between); with `lowCounted`, the low counts of the bin the
 * rank-th key falls in are already counted too (nextCountsAfterSelection's bin). Call from uniform
 * control flow; ends with a barrier.
 */
fn rankedKeyOfHighCounts(lid: u32, start: u32, end: u32, rank: u32, cell: f32, lowCounted: bool) -> u32 {
  workgroupBarrier();
  if (lid == 0u) {
    let found = walkHighCounts(rank);
    chosenHigh = found.x;
    rankInBin = found.y;
    if (lowCounted) {
      // Both levels in one walk: 3 barriers fewer than counting's path (~4 us each on SwiftShader;
      // the 64 step kernels 0.82-0.91x there, lavapipe 0.97x, session 29).
      chosenKey = rankedKeyIn(found.x, found.y);
    }
  }
  if (!lowCounted) {
    let high = workgroupUniformLoad(&chosenHigh);
    if (high < overflowHigh()) {
      for (var i = start + lid; i < end; i += WORKGROUP_SIZE) {
        countLowKey(rankKey(i, cell), high);
      }
    }
    workgroupBarrier();
    if (lid == 0u) {
      chosenKey = rankedKeyIn(high, rankInBin);
    }
  }
  return min(workgroupUniformLoad(&chosenKey), maxKey());
}

/** The rank-th key from its high bin and the rank left in it; past maxKey() (+Inf) when fewer than rank keys are finite. */
fn rankedKeyIn(high: u32, rankLeft: u32) -> u32 {
  return select((high << LOW_BITS) + walkLowCounts(rankLeft), maxKey() + 1u, high >= overflowHigh());
}

/**
 * Invocation 0, after rankedKeyOfHighCounts, when every selected feature (key <= the rank-th) has
 * become done (+Inf) and no other key changes: turns the high counts into those of the new keys,
 * finds the high bin of the next rank-th key (nextHigh) and clears the low counts, for the
 * includer to count that bin's low bits (countLowKey) before the next rankedKeyOfHighCounts.
 */
fn nextCountsAfterSelection(rank: u32) {
  let high = chosenHigh;
  var moved = 0u;
  for (var b = 0u; b < min(high, overflowHigh()); b++) {
    moved += atomicExchange(&highCounts[b], 0u);
  }
  if (high < overflowHigh()) {
    let low = chosenKey & (LOW_BINS - 1u);
    var inBin = 0u;
    for (var l = 0u; l <= low; l++) {
      inBin += atomicLoad(&lowCounts[l]);
    }
    atomicSub(&highCounts[high], inBin);
    moved += inBin;
  }
  atomicAdd(&highCounts[overflowHigh()], moved);
  for (var l = 0u; l < LOW_BINS; l++) {
    atomicStore(&lowCounts[l], 0u);
  }
  nextHigh = walkHighCounts(rank).x;
}
