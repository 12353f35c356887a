// SPDX-License-Identifier: Apache-2.0

/**
 * Pixel lists of every label of every label map (each map [pixels], labels 0 .. count - 1), empty
 * ones left out: one counting sort of each map's pixels by label, each list a view of its part.
 */
export function unpackMasks(maps: readonly { labels: Int32Array; count: number }[]): Int32Array[] {
  const masks: Int32Array[] = [];
  for (const { labels, count } of maps) {
    const starts = new Int32Array(count + 1);
    for (const l of labels) starts[l + 1]!++;
    for (let l = 0; l < count; l++) starts[l + 1]! += starts[l]!;
    const fill = starts.slice(0, count);
    const pixels = new Int32Array(labels.length);
    for (let p = 0; p < labels.length; p++) pixels[fill[labels[p]!]!++] = p;
    for (let l = 0; l < count; l++) if (starts[l + 1]! > starts[l]!) masks.push(pixels.subarray(starts[l], starts[l + 1]));
  }
  return masks;
}

/**
 * skimage.morphology.disk(radius) as row half-widths: for dy = -radius .. radius, the largest dx with
 * dy^2 + dx^2 <= r^2 (index dy + radius); one array per radius, kept.
 */
const disks = new Map<number, Int32Array>();
function diskHalfWidths(radius: number): Int32Array {
  let disk = disks.get(radius);
  if (!disk) {
    disk = Int32Array.from({ length: 2 * radius + 1 }, (_, i) => {
      const dy = i - radius;
      let dx = 0;
      while (dy * dy + (dx + 1) * (dx + 1) <= radius * radius) dx++;
      return dx;
    });
    disks.set(radius, disk);
  }
  return disk;
}

/**
 * Binary dilation of a pixel set by a disk of `radius` (skimage.morphology.disk: offsets with
 * dy^2 + dx^2 <= r^2), on bit rows (32 pixels a word): the disk is, row dy by row dy, a horizontal
 * run of half-width w(dy), so the result is the union over dy of the mask's rows widened by w(dy)
 * (each widening one shift-or of the previous) and moved by dy. Word operations do what per-pixel
 * stamping did ~100 times per boundary pixel. Returns the pixels in order.
 */
export function dilate(mask: Int32Array, height: number, width: number, radius: number): Int32Array {
  if (radius <= 0 || mask.length === 0) return mask;
  const words = Math.ceil(width / 32);
  let [top, bottom] = [height, -1];
  for (const p of mask) {
    const y = Math.floor(p / width);
    top = Math.min(top, y);
    bottom = Math.max(bottom, y);
  }
  const rows = bottom - top + 1;
  const widened = new Uint32Array(rows * words);
  for (const p of mask) {
    const y = Math.floor(p / width);
    const x = p - y * width;
    widened[(y - top) * words + (x >>> 5)]! |= 1 << (x & 31);
  }
  const outTop = Math.max(0, top - radius);
  const outRows = Math.min(height - 1, bottom + radius) - outTop + 1;
  const out = new Uint32Array(outRows * words);
  const halfWidths = diskHalfWidths(radius);
  for (let w = 0; w <= radius; w++) {
    if (w > 0) widenByOne(widened, rows, words, width);
    for (let dy = -radius; dy <= radius; dy++) {
      if (halfWidths[dy + radius] !== w) continue;
      // source row r lands on output row top + r + dy
      const first = Math.max(0, outTop - top - dy);
      const last = Math.min(rows - 1, outTop + outRows - 1 - top - dy);
      for (let r = first; r <= last; r++) {
        const to = (top + r + dy - outTop) * words;
        const from = r * words;
        for (let k = 0; k < words; k++) out[to + k]! |= widened[from + k]!;
      }
    }
  }
  return setPixels(out, outTop * width, width, words);
}

/** Every row of `bits` (`words` a row, `width` pixels) or-ed with itself moved one pixel left and right. */
function widenByOne(bits: Uint32Array, rows: number, words: number, width: number): void {
  const lastBits = width - (words - 1) * 32; // valid bits of a row's last word
  const lastMask = lastBits === 32 ? -1 : (1 << lastBits) - 1;
  for (let r = 0; r < rows; r++) {
    const row = r * words;
    let before = 0; // the word left of k, as it was
    for (let k = 0; k < words; k++) {
      const word = bits[row + k]!;
      const after = k + 1 < words ? bits[row + k + 1]! : 0;
      bits[row + k] = word | (word << 1) | (before >>> 31) | (word >>> 1) | (after << 31);
      before = word;
    }
    bits[row + words - 1]! &= lastMask;
  }
}

/** The pixels of the set bits of `bits` (rows of `words`, the first row's first pixel at `offset`), in order. */
function setPixels(bits: Uint32Array, offset: number, width: number, words: number): Int32Array {
  let count = 0;
  for (const word of bits) count += bitCount(word);
  const pixels = new Int32Array(count);
  let n = 0;
  for (let i = 0; i < bits.length; i++) {
    const base = offset + Math.floor(i / words) * width + (i % words) * 32;
    for (let word = bits[i]!; word !== 0; word &= word - 1) pixels[n++] = base + 31 - Math.clz32(word & -word);
  }
  return pixels;
}

/** Set bits of a 32-bit word. */
function bitCount(word: number): number {
  word -= (word >>> 1) & 0x55555555;
  word = (word & 0x33333333) + ((word >>> 2) & 0x33333333);
  return (Math.imul((word + (word >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}

/** Result of {@link xraiRegions}. */
export interface XraiRegions {
  /** Per pixel: the gain (attribution density) of the region that first covered it. */
  readonly attribution: Float32Array;
  /** Per pixel: 1 = the region with the highest gain, 2 = the next, ...; the leftover area last. */
  readonly ranks: Int32Array;
}

/**
 * XRAI's region selection (Kapishnikov et al., ICCV 2019; PAIR saliency `_xrai`): greedily take the
 * candidate region whose not-yet-covered pixels have the highest mean attribution (gain density),
 * dropping regions that would add fewer than `minPixelDiff` pixels, until `areaThreshold` of the
 * image is covered; the rest gets its own mean attribution. Gains are kept incrementally (every
 * covered pixel updates the regions that contain it), not recomputed from scratch.
 */
export function xraiRegions(
  pixelAttr: Float64Array,
  masks: readonly Int32Array[],
  areaThreshold: number,
  minPixelDiff: number,
): XraiRegions {
  const pixels = pixelAttr.length;
  const sums = new Float64Array(masks.length);
  const counts = new Int32Array(masks.length);
  // pixel -> regions containing it (CSR)
  const degree = new Int32Array(pixels + 1);
  masks.forEach((m, k) => {
    counts[k] = m.length;
    for (const p of m) {
      sums[k] = sums[k]! + pixelAttr[p]!;
      degree[p + 1] = degree[p + 1]! + 1;
    }
  });
  for (let p = 0; p < pixels; p++) degree[p + 1] = degree[p + 1]! + degree[p]!;
  const members = new Int32Array(degree[pixels]!);
  const cursor = degree.slice(0, pixels);
  masks.forEach((m, k) => {
    for (const p of m) {
      members[cursor[p]!] = k;
      cursor[p] = cursor[p]! + 1;
    }
  });
  const alive = new Uint8Array(masks.length).fill(1);
  const covered = new Uint8Array(pixels);
  const attribution = new Float32Array(pixels);
  const trace: { pixels: number[]; gain: number }[] = [];
  let coveredCount = 0;
  while (coveredCount / pixels <= areaThreshold) {
    let best = -1;
    let bestGain = -Infinity;
    for (let k = 0; k < masks.length; k++) {
      if (!alive[k]) continue;
      if (counts[k]! < minPixelDiff) {
        alive[k] = 0;
        continue;
      }
      const gain = sums[k]! / counts[k]!;
      if (gain > bestGain) {
        bestGain = gain;
        best = k;
      }
    }
    if (best < 0) break;
    alive[best] = 0;
    const diff: number[] = [];
    for (const p of masks[best]!) {
      if (covered[p]) continue;
      covered[p] = 1;
      coveredCount++;
      diff.push(p);
      attribution[p] = bestGain;
      for (let i = degree[p]!; i < degree[p + 1]!; i++) {
        const k = members[i]!;
        sums[k] = sums[k]! - pixelAttr[p]!;
        counts[k] = counts[k]! - 1;
      }
    }
    trace.push({ pixels: diff, gain: bestGain });
  }
  const leftover: number[] = [];
  let leftoverSum = 0;
  for (let p = 0; p < pixels; p++) {
    if (covered[p]) continue;
    leftover.push(p);
    leftoverSum += pixelAttr[p]!;
  }
  for (const p of leftover) attribution[p] = leftoverSum / leftover.length;
  const ranks = new Int32Array(pixels);
  trace.sort((a, b) => b.gain - a.gain);
  trace.forEach((t, i) => t.pixels.forEach((p) => (ranks[p] = i + 1)));
  if (leftover.length) leftover.forEach((p) => (ranks[p] = trace.length + 1));
  return { attribution, ranks };
}
