// SPDX-License-Identifier: Apache-2.0
import type { PartitionTree } from './partition-tree.js';

/** A coalition: the union of the nodes in a linked list (shared between queue entries). */
interface Coalition {
  readonly node: number;
  readonly rest: Coalition | undefined;
}

interface Task {
  readonly priority: number;
  readonly order: number;
  readonly m00: Coalition | undefined;
  readonly f00: number;
  readonly f11: number;
  readonly node: number;
  readonly weight: number;
}

/** Max-priority queue (ties: first in, first out). */
class Heap {
  private readonly items: Task[] = [];
  get size(): number {
    return this.items.length;
  }
  get tasks(): readonly Task[] {
    return this.items;
  }
  private before(a: Task, b: Task): boolean {
    return a.priority > b.priority || (a.priority === b.priority && a.order < b.order);
  }
  push(t: Task): void {
    const h = this.items;
    h.push(t);
    for (let i = h.length - 1; i > 0;) {
      const p = (i - 1) >> 1;
      if (!this.before(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }
  pop(): Task {
    const h = this.items;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length) {
      h[0] = last;
      for (let i = 0; ;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.before(h[l]!, h[m]!)) m = l;
        if (r < h.length && this.before(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}

/**
 * Evaluates the target score of `rows` coalitions, given as `masks` (rows of 0/1 over features;
 * empty when owenValues was called with paintMasks = false) and as `coalitions` (each row's tree
 * nodes switched on: disjoint, their features together are the row's 1s).
 */
export type CoalitionScorer = (
  masks: Float32Array<ArrayBuffer>,
  rows: number,
  coalitions: readonly (readonly number[])[],
) => Promise<Float64Array>;

/**
 * shap's PartitionExplainer.owen (fixed_context=None): starting from the root with f(empty) and
 * f(full), each expanded node evaluates its two children switched on against the current context,
 * queues the four half-weighted subproblems (each child with the other off, and with it on) by
 * priority |delta f| * weight, and credits (f11 - f00) * weight to leaves and to whatever is left in
 * the queue when `maxEvals` evaluations are spent. Credit on an internal node is spread to its
 * features in proportion to their number (shap's lower_credit), so the values sum to
 * f(full) - f(empty) exactly. Ties in priority go first-in-first-out (shap breaks them at random).
 * `paintMasks = false` skips the 0/1 mask rows (the scorer then gets an empty `masks` and works
 * from `coalitions`).
 */
export async function owenValues(
  tree: PartitionTree,
  features: number,
  f00: number,
  f11: number,
  maxEvals: number,
  batchSize: number,
  score: CoalitionScorer,
  onBatch?: (evals: number, values: () => Float64Array) => Promise<void> | void,
  paintMasks = true,
): Promise<{ values: Float64Array; evals: number }> {
  const credit = new Float64Array(tree.nodes);
  const queue = new Heap();
  let order = 0;
  queue.push({ priority: 0, order: order++, m00: undefined, f00, f11, node: 0, weight: 1 });
  let evals = 0;
  // With features numbered in tree order (order[i] = i, see treeOrdered) a node is one contiguous
  // run of a row: a fill instead of a scatter (50,176 of them per row for pixel features).
  const inOrder = tree.order.every((f, i) => f === i);
  const mark = (row: Float32Array, node: number) => {
    if (inOrder) row.fill(1, tree.start[node]!, tree.end[node]!);
    else for (let i = tree.start[node]!; i < tree.end[node]!; i++) row[tree.order[i]!] = 1;
  };
  const paint = (row: Float32Array, nodes: readonly number[]) => {
    row.fill(0);
    for (const node of nodes) mark(row, node);
  };
  // One mask buffer for every batch (tens of MB for pixel features): the scorer is done with it
  // when its promise settles.
  let buffer = new Float32Array(0);
  while (queue.size) {
    if (evals >= maxEvals) {
      while (queue.size) {
        const t = queue.pop();
        credit[t.node] = credit[t.node]! + (t.f11 - t.f00) * t.weight;
      }
      break;
    }
    const batch: Task[] = [];
    while (queue.size && 2 * batch.length < batchSize && evals + 2 * batch.length < maxEvals) {
      const t = queue.pop();
      if (tree.left[t.node]! < 0) {
        credit[t.node] = credit[t.node]! + (t.f11 - t.f00) * t.weight;
        continue;
      }
      batch.push(t);
    }
    if (!batch.length) continue;
    const coalitions = batch.flatMap((t) => [nodesOf(t.m00, tree.left[t.node]!), nodesOf(t.m00, tree.right[t.node]!)]);
    // The scorer may not need the masks (a black box's host batches are written from the nodes).
    const rows = paintMasks ? 2 * batch.length : 0;
    if (buffer.length < rows * features) buffer = new Float32Array(rows * features);
    const masks = buffer.subarray(0, rows * features);
    for (let row = 0; row < rows; row++) {
      const nodes = coalitions[row]!;
      paint(masks.subarray(row * features, (row + 1) * features), nodes);
    }
    const out = await score(masks, 2 * batch.length, coalitions);
    evals += 2 * batch.length;
    batch.forEach((t, i) => {
      const f10 = out[2 * i]!;
      const f01 = out[2 * i + 1]!;
      const l = tree.left[t.node]!;
      const r = tree.right[t.node]!;
      const w = t.weight / 2;
      const withLeft: Coalition = { node: l, rest: t.m00 };
      const withRight: Coalition = { node: r, rest: t.m00 };
      queue.push({ priority: Math.abs(f10 - t.f00) * w, order: order++, m00: t.m00, f00: t.f00, f11: f10, node: l, weight: w });
      queue.push({ priority: Math.abs(f01 - t.f00) * w, order: order++, m00: t.m00, f00: t.f00, f11: f01, node: r, weight: w });
      queue.push({ priority: Math.abs(t.f11 - f01) * w, order: order++, m00: withRight, f00: f01, f11: t.f11, node: l, weight: w });
      queue.push({ priority: Math.abs(t.f11 - f10) * w, order: order++, m00: withLeft, f00: f10, f11: t.f11, node: r, weight: w });
    });
    if (onBatch) {
      // Anytime estimate: what the queue still holds is credited to its nodes, as at the end.
      await onBatch(evals, () => {
        const pending = credit.slice();
        for (const t of queue.tasks) pending[t.node] = pending[t.node]! + (t.f11 - t.f00) * t.weight;
        return lowerCredit(tree, pending, features);
      });
    }
  }
  return { values: lowerCredit(tree, credit, features), evals };
}

/** The nodes of a coalition plus `extra`. */
function nodesOf(coalition: Coalition | undefined, extra: number): number[] {
  const nodes = [extra];
  for (let c = coalition; c; c = c.rest) nodes.push(c.node);
  return nodes;
}

/** Spreads node credit down to the features, in proportion to their number (shap's lower_credit). */
function lowerCredit(tree: PartitionTree, credit: Float64Array, features: number): Float64Array {
  const values = new Float64Array(features);
  const carry = new Float64Array(tree.nodes);
  for (let node = 0; node < tree.nodes; node++) {
    // Parents come before children (nodes are numbered as they are created, root first).
    const total = carry[node]! + credit[node]!;
    const l = tree.left[node]!;
    if (l < 0) {
      values[tree.order[tree.start[node]!]!] = total;
      continue;
    }
    const r = tree.right[node]!;
    const size = tree.end[node]! - tree.start[node]!;
    carry[l] = carry[l]! + (total * (tree.end[l]! - tree.start[l]!)) / size;
    carry[r] = carry[r]! + (total * (tree.end[r]! - tree.start[r]!)) / size;
  }
  return values;
}
