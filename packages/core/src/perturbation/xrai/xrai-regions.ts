// SPDX-License-Identifier: Apache-2.0

/** Pixel lists of every label of every label map (each map [pixels], labels 0 .. count - 1). */
export function unpackMasks(maps: readonly { labels: Int32Array; count: number }[]): Int32Array[] {
  const masks: Int32Array[] = [];
  for (const { labels, count } of maps) {
    const sizes = new Int32Array(count);
    for (const l of labels) sizes[l] = sizes[l]! + 1;
    const lists = Array.from(sizes, (s) => new Int32Array(s));
    const fill = new Int32Array(count);
    labels.forEach((l, p) => {
      lists[l]![fill[l]!] = p;
      fill[l] = fill[l]! + 1;
    });
    masks.push(...lists.filter((l) => l.length > 0));
  }
  return masks;
}

/** skimage.morphology.disk(radius)'s offsets (dy^2 + dx^2 <= r^2) as [dy, dx] pairs; one array per radius, kept. */
const disks = new Map<number, Int32Array>();
function diskOffsets(radius: number): Int32Array {
  let disk = disks.get(radius);
  if (!disk) {
    const offsets: number[] = [];
    for (let dy = -radius; dy <= radius; dy++)
      for (let dx = -radius; dx <= radius; dx++) if (dy * dy + dx * dx <= radius * radius) offsets.push(dy, dx);
    disks.set(radius, (disk = Int32Array.from(offsets)));
  }
  return disk;
}

/**
 * Binary dilation of a pixel set by a disk of `radius` (skimage.morphology.disk: offsets with
 * dy^2 + dx^2 <= r^2), by stamping the disk around boundary pixels only. Returns sorted pixels:
 * the marked rows are scanned in order (no sort), and `scratch` (height * width, all zero) is
 * left all zero.
 */
export function dilate(mask: Int32Array, height: number, width: number, radius: number, scratch: Uint8Array): Int32Array {
  if (radius <= 0) return mask;
  const disk = diskOffsets(radius);
  for (const p of mask) scratch[p] = 1;
  let count = mask.length;
  let top = height;
  let bottom = -1;
  for (const p of mask) {
    const y = Math.floor(p / width);
    const x = p - y * width;
    top = Math.min(top, y);
    bottom = Math.max(bottom, y);
    // A pixel whose 4 neighbours are all in the mask (1, not merely stamped: 2) stamps nothing:
    // every disk point of it is nearer to one of them, so their disks cover its disk.
    const boundary =
      (x > 0 && scratch[p - 1] !== 1) ||
      (x + 1 < width && scratch[p + 1] !== 1) ||
      (y > 0 && scratch[p - width] !== 1) ||
      (y + 1 < height && scratch[p + width] !== 1);
    if (!boundary) continue;
    for (let o = 0; o < disk.length; o += 2) {
      const yy = y + disk[o]!;
      const xx = x + disk[o + 1]!;
      if (yy < 0 || yy >= height || xx < 0 || xx >= width) continue;
      const q = yy * width + xx;
      if (!scratch[q]) {
        scratch[q] = 2;
        count++;
      }
    }
  }
  const out = new Int32Array(count);
  let n = 0;
  const last = Math.min(height, bottom + radius + 1) * width;
  for (let q = Math.max(0, top - radius) * width; q < last; q++) {
    if (!scratch[q]) continue;
    out[n++] = q;
    scratch[q] = 0;
  }
  return out;
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
