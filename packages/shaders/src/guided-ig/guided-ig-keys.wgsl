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
// Counts are integers added with atomics: exact and independent of invocation order.
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

var<workgroup> keyCounts: array<atomic<u32>, BINS>;
// The high bin holding the rank-th key, and the rank left inside it.
var<workgroup> chosenHigh: u32;
var<workgroup> rankInBin: u32;

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
  if (isDone(i)) {
    return maxKey() + 1u;
  }
  return keyOfMagnitude(abs(gradient[i]), cell);
}

/** Key of a not-done feature whose |gradient| is `magnitude` (+Inf or NaN give maxKey() + 1). */
fn keyOfMagnitude(magnitude: f32, cell: f32) -> u32 {
  let key = round(magnitude / cell);
  if (isNan(key) || key > f32(maxKey())) {
    return maxKey() + 1u;
  }
  return u32(key);
}

fn highOf(key: u32) -> u32 {
  return select(key >> LOW_BITS, overflowHigh(), key > maxKey());
}

fn clearKeyCounts(lid: u32) {
  for (var b = lid; b < BINS; b += WORKGROUP_SIZE) {
    atomicStore(&keyCounts[b], 0u);
  }
}

/** Walks `bins` counts from the first; returns the bin where the running count reaches `rank`, and the rank left in it. */
fn walkKeyCounts(bins: u32, rank: u32) -> vec2u {
  var before = 0u;
  var bin = 0u;
  for (; bin < bins; bin++) {
    let here = atomicLoad(&keyCounts[bin]);
    if (before + here >= rank) {
      break;
    }
    before += here;
  }
  return vec2u(bin, rank - before);
}

/** Adds `key` to the high-bit counts (between clearKeyCounts and rankedKeyOfHighCounts). */
fn countHighKey(key: u32) {
  atomicAdd(&keyCounts[highOf(key)], 1u);
}

/**
 * The rank-th smallest key (1 = the smallest) of the row gradient[start .. end), capped at maxKey()
 * (a feature is selected when its key is <= it, so +Inf keys never are, and all finite keys are
 * when fewer than rank are finite), once every invocation has counted its keys by countHighKey
 * since clearKeyCounts (with a barrier between). Call from uniform control flow; ends with a barrier.
 */
fn rankedKeyOfHighCounts(lid: u32, start: u32, end: u32, rank: u32, cell: f32) -> u32 {
  workgroupBarrier();
  if (lid == 0u) {
    let found = walkKeyCounts(overflowHigh(), rank);
    chosenHigh = found.x;
    rankInBin = found.y;
  }
  workgroupBarrier();
  let high = chosenHigh;

  clearKeyCounts(lid);
  workgroupBarrier();
  if (high < overflowHigh()) {
    for (var i = start + lid; i < end; i += WORKGROUP_SIZE) {
      let key = rankKey(i, cell);
      if (highOf(key) == high) {
        atomicAdd(&keyCounts[key & (LOW_BINS - 1u)], 1u);
      }
    }
  }
  workgroupBarrier();
  if (lid == 0u) {
    // The rank-th key; past maxKey() (+Inf) when fewer than rank keys are finite.
    chosenHigh = select((high << LOW_BITS) + walkKeyCounts(LOW_BINS - 1u, rankInBin).x, maxKey() + 1u, high >= overflowHigh());
  }
  workgroupBarrier();
  let threshold = min(chosenHigh, maxKey());
  workgroupBarrier(); // every invocation has read chosenHigh before the next call writes it
  return threshold;
}
