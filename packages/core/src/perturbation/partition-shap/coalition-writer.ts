// SPDX-License-Identifier: Apache-2.0
// Partition SHAP's host batches (black boxes): a coalition is a few nodes of the partition tree,
// and every node is a fixed set of pixels, so an image is the nodes' pixel spans merged in pixel
// order, copied from the image, and the gaps between them from the fill (SpanComposer: every value
// written once, in WebAssembly where the batch is staged in a WebAssembly.Memory) instead of a mask
// lookup per pixel (50,176 per image for pixel features). The values are the ones perturbBatchRef
// writes for the coalition's 0/1 mask row (the image where 1, the fill where 0).
import type { HostStaging } from '../shared/evaluate.js';
import type { BatchLayout } from '../shared/perturb-cpu.js';
import { SpanComposer } from '../shared/span-composer.js';
import type { OrderedPartition, PartitionTree } from './partition-tree.js';

/** Writes perturbed images for coalitions of `tree`'s nodes (features in tree order, see treeOrdered). */
export class CoalitionWriter {
  private readonly composer: SpanComposer;
  private readonly tree: PartitionTree;
  /** Each pixel's feature (tree position) and each node's parent (-1 for the root). */
  private readonly labels: Int32Array;
  private readonly parent: Int32Array;
  /** Per node: [start, end) pairs of pixel indices, maximal runs of consecutive pixels (the partition's, made on first use). */
  private readonly spans: Map<number, Int32Array>;
  /** A span list under construction (2 ints per pixel at most). */
  private readonly scratch: Int32Array;
  /** Per node of the coalition being merged: its spans and the next pair to take. */
  private lists: Int32Array[] = [];
  private heads = new Int32Array(0);
  private readonly perImage: number;
  private readonly channels: number;

  /**
   * `partition`: the features in tree order (its node spans are shared by every writer of the
   * partition); `image`, `fill`: HWC values of the image and of what masked features show.
   */
  constructor(partition: OrderedPartition, image: Float32Array, fill: Float32Array, channels: number) {
    const { tree, labels, spans, parent } = partition;
    const pixels = labels.length;
    this.tree = tree;
    this.labels = labels;
    this.spans = spans;
    this.composer = new SpanComposer(image, fill, pixels, channels);
    this.perImage = pixels * channels;
    this.channels = channels;
    this.parent = parent;
    this.scratch = new Int32Array(2 * pixels);
  }

  /** Floats of HostStaging room {@link CoalitionWriter.write} uses (see SpanComposer). */
  get stagingLength(): number {
    return SpanComposer.stagingLength(this.labels.length, this.channels);
  }

  /** Which writer wrote the last batch (SpanComposer's): for tests and diagnostics. */
  get lastWrite(): 'wasm' | 'js' {
    return this.composer.lastWrite;
  }

  /**
   * The pixel spans of `node` (cached: a node is reused by every coalition that contains it): its
   * parent's pixels, in pixel order, whose feature is in the node's range; no sort, and only the
   * parent's pixels are visited (each tree level a pass over the image at most).
   */
  private spansOf(node: number): Int32Array {
    let spans = this.spans.get(node);
    if (spans) return spans;
    const within = this.spansOf(this.parent[node]!);
    const [lo, hi] = [this.tree.start[node]!, this.tree.end[node]!];
    const { labels, scratch } = this;
    let n = 0;
    for (let i = 0; i < within.length; i += 2) {
      for (let p = within[i]!; p < within[i + 1]!; p++) {
        const f = labels[p]!;
        if (f < lo || f >= hi) continue;
        if (n > 0 && scratch[n - 1] === p) scratch[n - 1] = p + 1;
        else {
          scratch[n++] = p;
          scratch[n++] = p + 1;
        }
      }
    }
    spans = scratch.slice(0, n);
    this.spans.set(node, spans);
    return spans;
  }

  /**
   * Writes `count` images into `out` (H * W * C values each, in `layout`): image b shows the
   * nodes of `coalitions[first + b]` and the fill everywhere else, each value written once (the
   * nodes' spans merged in pixel order). `staging`: room of {@link CoalitionWriter.stagingLength}
   * after `out` (see SpanComposer).
   */
  write(
    out: Float32Array,
    coalitions: readonly (readonly number[])[],
    first: number,
    count: number,
    layout: BatchLayout,
    staging?: HostStaging,
  ): void {
    this.composer.begin(out, layout, staging);
    for (let b = 0; b < count; b++) this.composer.compose(b * this.perImage, this.merge(coalitions[first + b]!, this.composer.spans));
  }

  /**
   * The spans of `nodes` (disjoint) merged into one sorted list in `into`, touching spans joined;
   * returns its pairs. A k-way merge by smallest start (k: a coalition's nodes, at most the tree's depth).
   */
  private merge(nodes: readonly number[], into: Int32Array): number {
    const k = nodes.length;
    if (this.heads.length < k) this.heads = new Int32Array(2 * k);
    const lists = this.lists;
    lists.length = k;
    for (let j = 0; j < k; j++) {
      lists[j] = this.spansOf(nodes[j]!);
      this.heads[j] = 0;
    }
    let pairs = 0;
    for (;;) {
      let best = -1;
      let bestStart = 0;
      for (let j = 0; j < k; j++) {
        const h = this.heads[j]!;
        const list = lists[j]!;
        if (h < list.length && (best < 0 || list[h]! < bestStart)) [best, bestStart] = [j, list[h]!];
      }
      if (best < 0) return pairs;
      const end = lists[best]![this.heads[best]! + 1]!;
      this.heads[best]! += 2;
      if (pairs > 0 && into[2 * pairs - 1] === bestStart) into[2 * pairs - 1] = end;
      else {
        into[2 * pairs] = bestStart;
        into[2 * pairs + 1] = end;
        pairs++;
      }
    }
  }
}
