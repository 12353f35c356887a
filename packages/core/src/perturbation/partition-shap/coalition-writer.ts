// SPDX-License-Identifier: Apache-2.0
// Partition SHAP's host batches (black boxes): a coalition is a few nodes of the partition tree,
// and every node is a fixed set of pixels, so an image is written as the fill image (one copy)
// with each node's pixel spans copied from the image on top: memcpy-sized copies instead of a
// mask lookup per pixel (50,176 per image for pixel features). The values are the ones
// perturbBatchRef writes for the coalition's 0/1 mask row (the image where 1, the fill where 0).
import { copySpan, toPlanar, type BatchLayout } from '../shared/perturb-cpu.js';
import type { PartitionTree } from './partition-tree.js';

/** Writes perturbed images for coalitions of `tree`'s nodes (features in tree order, see treeOrdered). */
export class CoalitionWriter {
  private readonly planarImage: Float32Array;
  private readonly planarFill: Float32Array;
  /** Pixels sorted by feature (tree position), and where each feature's pixels start in it. */
  private readonly pixelsByFeature: Int32Array;
  private readonly featureStart: Int32Array;
  /** Per node: [start, end) pairs of pixel indices, maximal runs of consecutive pixels (made on first use). */
  private readonly spans = new Map<number, Int32Array>();

  /**
   * `labels`: each pixel's feature in tree order (tree.order is the identity); `image`, `fill`:
   * HWC values of the image and of what masked features show.
   */
  constructor(
    private readonly tree: PartitionTree,
    labels: Int32Array,
    features: number,
    private readonly image: Float32Array,
    private readonly fill: Float32Array,
    private readonly channels: number,
  ) {
    const pixels = labels.length;
    this.planarImage = toPlanar(image, pixels, channels);
    this.planarFill = toPlanar(fill, pixels, channels);
    // Counting sort of the pixels by feature: a node's pixels are then one contiguous range.
    const start = new Int32Array(features + 1);
    for (let p = 0; p < pixels; p++) start[labels[p]! + 1]!++;
    for (let f = 0; f < features; f++) start[f + 1]! += start[f]!;
    const next = start.slice(0, features);
    const sorted = new Int32Array(pixels);
    for (let p = 0; p < pixels; p++) sorted[next[labels[p]!]!++] = p;
    this.pixelsByFeature = sorted;
    this.featureStart = start;
  }

  /** The pixel spans of `node` (cached: a node is reused by every coalition that contains it). */
  private spansOf(node: number): Int32Array {
    let spans = this.spans.get(node);
    if (spans) return spans;
    const from = this.featureStart[this.tree.start[node]!]!;
    const to = this.featureStart[this.tree.end[node]!]!;
    const members = this.pixelsByFeature.slice(from, to).sort();
    let count = 0;
    for (let i = 0; i < members.length; i++) if (i === 0 || members[i]! !== members[i - 1]! + 1) count++;
    spans = new Int32Array(2 * count);
    for (let i = 0, s = -2; i < members.length; i++) {
      if (i === 0 || members[i]! !== members[i - 1]! + 1) spans[(s += 2)] = members[i]!;
      spans[s + 1] = members[i]! + 1;
    }
    this.spans.set(node, spans);
    return spans;
  }

  /**
   * Writes `count` images into `out` (H * W * C values each, in `layout`): image b shows the
   * nodes of `coalitions[first + b]` and the fill everywhere else.
   */
  write(out: Float32Array, coalitions: readonly (readonly number[])[], first: number, count: number, layout: BatchLayout): void {
    const planarLayout = layout === 'nchw';
    const fill = planarLayout ? this.planarFill : this.fill;
    const image = planarLayout ? this.planarImage : this.image;
    const { channels } = this;
    const pixels = this.pixelsByFeature.length;
    for (let b = 0; b < count; b++) {
      const base = b * pixels * channels;
      out.set(fill, base);
      for (const node of coalitions[first + b]!) {
        const spans = this.spansOf(node);
        for (let i = 0; i < spans.length; i += 2) {
          if (!planarLayout) copySpan(out, image, spans[i]! * channels, spans[i + 1]! * channels, base);
          else for (let c = 0; c < channels; c++) copySpan(out, image, c * pixels + spans[i]!, c * pixels + spans[i + 1]!, base);
        }
      }
    }
  }
}
