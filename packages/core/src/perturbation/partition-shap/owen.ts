// SPDX-License-Identifier: Apache-2.0
import type { PartitionTree } from './partition-tree.js';

/** A coalition: the union of the nodes in a linked list (shared between queue entries). */
interface Coalition {
  readonly node: number;
  readonly rest: Coalition | undefined;
}

/** A subproblem without its scores: expand `node` against the context `m00`. */
interface Spec {
  readonly m00: Coalition | undefined;
  readonly node: number;
}

/**
 * A task's two rows (its node's children switched on), scored ahead with an earlier batch, and its
 * four subproblems' (push order; undefined for a leaf or when not scored ahead).
 */
interface Ahead {
  readonly f10: number;
  readonly f01: number;
  readonly next: readonly (Ahead | undefined)[];
}

interface Task extends Spec {
  readonly priority: number;
  readonly order: number;
  readonly f00: number;
  readonly f11: number;
  readonly weight: number;
  readonly ahead: Ahead | undefined;
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
 *
 * Fewer sequential scorer calls (each a model call and a GPU round trip), same values: when a batch
 * empties the queue and the budget and batch size let the next batch take every subproblem it
 * queues, whatever their priorities, those rows are scored with it (and so on, level by level, while
 * the rows fit one batch); `f00` undefined scores f(empty) in the first batch too. Set `lookahead`
 * false for the plain level-by-level order (the reference the tests compare with).
 */
export async function owenValues(
  tree: PartitionTree,
  features: number,
  f00: number | undefined,
  f11: number,
  maxEvals: number,
  batchSize: number,
  score: CoalitionScorer,
  onBatch?: (evals: number, values: () => Float64Array) => Promise<void> | void,
  paintMasks = true,
  lookahead = true,
): Promise<{ values: Float64Array; evals: number; f00: number }> {
  const credit = new Float64Array(tree.nodes);
  const queue = new Heap();
  let order = 0;
  // A leaf root is never expanded: its f(empty) cannot ride in a batch.
  if (f00 === undefined && (tree.left[0]! < 0 || !lookahead)) f00 = (await score(new Float32Array(paintMasks ? features : 0), 1, [[]]))[0]!;
  queue.push({ priority: 0, order: order++, m00: undefined, f00: f00 ?? Number.NaN, f11, node: 0, weight: 1, ahead: undefined });
  let evals = 0;
  // With features numbered in tree order (order[i] = i, see treeOrdered) a node is one contiguous
  // run of a row: a fill instead of a scatter (50,176 of them per row for pixel features).
  const inOrder = tree.order.every((f, i) => f === i);
  const mark = (row: Float32Array, node: number) => {
    if (inOrder) row.fill(1, tree.start[node], tree.end[node]);
    else for (let i = tree.start[node]!; i < tree.end[node]!; i++) row[tree.order[i]!] = 1;
  };
  const paint = (row: Float32Array, nodes: readonly number[]) => {
    row.fill(0);
    for (const node of nodes) mark(row, node);
  };
  // One mask buffer for every batch (tens of MB for pixel features): the scorer is done with it
  // when its promise settles.
  let buffer = new Float32Array(0);
  const scoreRows = async (coalitions: readonly (readonly number[])[]) => {
    const rows = paintMasks ? coalitions.length : 0;
    if (buffer.length < rows * features) buffer = new Float32Array(rows * features);
    const masks = buffer.subarray(0, rows * features);
    for (let row = 0; row < rows; row++) paint(masks.subarray(row * features, (row + 1) * features), coalitions[row]!);
    return score(masks, coalitions.length, coalitions);
  };
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
    // Tasks of a level scored ahead come whole; anything else is scored now.
    const missing = batch.filter((t) => !t.ahead);
    const scored = new Map<Task, Ahead>();
    if (missing.length) {
      const ahead = lookahead && missing.length === batch.length && !queue.tasks.some((t) => tree.left[t.node]! >= 0);
      const levels = ahead ? levelsAhead(tree, missing, evals, maxEvals, batchSize, f00 === undefined ? 1 : 0) : [missing];
      const coalitions = levels.flat().flatMap((t) => [nodesOf(t.m00, tree.left[t.node]!), nodesOf(t.m00, tree.right[t.node]!)]);
      const out = await scoreRows(f00 === undefined ? [[], ...coalitions] : coalitions);
      const first = assembleAhead(tree, levels, out.subarray(out.length - coalitions.length));
      missing.forEach((t, i) => scored.set(t, first[i]!));
      if (f00 === undefined) {
        f00 = out[0]!;
        batch[0] = { ...batch[0]!, f00 }; // the root, alone in the first batch
        scored.set(batch[0], first[0]!);
      }
    }
    evals += 2 * batch.length;
    batch.forEach((t) => {
      const { f10, f01, next } = t.ahead ?? scored.get(t)!;
      const w = t.weight / 2;
      const ends = [
        [t.f00, f10],
        [t.f00, f01],
        [f01, t.f11],
        [f10, t.f11],
      ] as const;
      subproblems(tree, t).forEach((sub, k) => {
        const [lo, hi] = ends[k]!;
        queue.push({ ...sub, priority: Math.abs(hi - lo) * w, order: order++, f00: lo, f11: hi, weight: w, ahead: next[k] });
      });
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
  return { values: lowerCredit(tree, credit, features), evals, f00: f00! };
}

/** The four subproblems of expanding `spec` (push order): each child with the other off, then on. */
function subproblems(tree: PartitionTree, spec: Spec): Spec[] {
  const l = tree.left[spec.node]!;
  const r = tree.right[spec.node]!;
  return [
    { m00: spec.m00, node: l },
    { m00: spec.m00, node: r },
    { m00: { node: r, rest: spec.m00 }, node: l },
    { m00: { node: l, rest: spec.m00 }, node: r },
  ];
}

/**
 * `batch` (which emptied the queue of internal nodes) and the levels after it that the following
 * batches are sure to take whole: every internal subproblem fits the batch size and the budget left
 * then (the pop loop takes up to ceil(min(batchSize, maxEvals - evals) / 2) tasks; leaves take no
 * room), with all rows (plus `extra`) in one batch.
 */
function levelsAhead(
  tree: PartitionTree,
  batch: readonly Spec[],
  evals: number,
  maxEvals: number,
  batchSize: number,
  extra: number,
): Spec[][] {
  const levels: Spec[][] = [[...batch]];
  let after = evals + 2 * batch.length;
  let rows = extra + 2 * batch.length;
  for (;;) {
    const next = levels.at(-1)!.flatMap((s) => subproblems(tree, s).filter((sub) => tree.left[sub.node]! >= 0));
    const room = Math.ceil(Math.min(batchSize, maxEvals - after) / 2);
    if (!next.length || after >= maxEvals || next.length > room || rows + 2 * next.length > batchSize) return levels;
    levels.push(next);
    after += 2 * next.length;
    rows += 2 * next.length;
  }
}

/** The scores of `levels`' rows (two per spec, level after level) as each first-level spec's Ahead. */
function assembleAhead(tree: PartitionTree, levels: readonly (readonly Spec[])[], out: Float64Array): Ahead[] {
  let offset = out.length;
  let below: Ahead[] = [];
  for (let j = levels.length - 1; j >= 0; j--) {
    const level = levels[j]!;
    offset -= 2 * level.length;
    let child = 0;
    below = level.map((spec, s) => {
      // The next level lists each spec's internal subproblems, in order.
      const next = subproblems(tree, spec).map((sub) => (j + 1 < levels.length && tree.left[sub.node]! >= 0 ? below[child++] : undefined));
      return { f10: out[offset + 2 * s]!, f01: out[offset + 2 * s + 1]!, next };
    });
  }
  return below;
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
