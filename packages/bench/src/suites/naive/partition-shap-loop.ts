// SPDX-License-Identifier: Apache-2.0
// Partition SHAP as a tfjs user ports shap's PartitionExplainer (Image masker, pixels as features,
// masked pixels zeroed) without webxai: the image halved into rectangles along the longer side, then
// shap's owen loop one subproblem at a time (each expansion's two coalitions through the model one
// by one, each score awaited), best-first by |delta f| * weight from a plain array, ties first in,
// first out; the credit left in the queue when the budget is spent goes to its rectangles, and
// each rectangle's credit is spread over its pixels.
import type * as tfNamespace from '@tensorflow/tfjs';

type Tf = typeof tfNamespace;
type Model = tfNamespace.LayersModel;

/** A rectangle of pixels [y0, y1) x [x0, x1) and, unless it is one pixel, its two halves. */
interface Rect {
  readonly y0: number;
  readonly y1: number;
  readonly x0: number;
  readonly x1: number;
  readonly halves?: readonly [Rect, Rect];
  credit: number;
}

/** shap's Image masker partition: split along the longer side (columns on a tie), the first half floor(n / 2) long. */
function halve(y0: number, y1: number, x0: number, x1: number): Rect {
  const [h, w] = [y1 - y0, x1 - x0];
  if (h * w === 1) return { y0, y1, x0, x1, credit: 0 };
  const halves: [Rect, Rect] =
    h > w
      ? [halve(y0, y0 + Math.floor(h / 2), x0, x1), halve(y0 + Math.floor(h / 2), y1, x0, x1)]
      : [halve(y0, y1, x0, x0 + Math.floor(w / 2)), halve(y0, y1, x0 + Math.floor(w / 2), x1)];
  return { y0, y1, x0, x1, halves, credit: 0 };
}

/** One owen subproblem: `rect` against the context `shown` (rectangles switched on), with the scores of both ends. */
interface Task {
  readonly rect: Rect;
  readonly shown: readonly Rect[];
  readonly f00: number;
  readonly f11: number;
  readonly weight: number;
  readonly priority: number;
  readonly order: number;
}

/** Removes and returns the task of highest priority (the earliest pushed among equals). */
function popBest(queue: Task[]): Task {
  let best = 0;
  for (let i = 1; i < queue.length; i++) {
    const [a, b] = [queue[i]!, queue[best]!];
    if (a.priority > b.priority || (a.priority === b.priority && a.order < b.order)) best = i;
  }
  return queue.splice(best, 1)[0]!;
}

/** Each pixel's share of its rectangles' credit, in proportion to their areas (shap's lower_credit). */
function spreadCredit(rect: Rect, carried: number, values: Float64Array, width: number): void {
  const total = carried + rect.credit;
  if (!rect.halves) {
    values[rect.y0 * width + rect.x0] = total;
    return;
  }
  const area = (r: Rect) => (r.y1 - r.y0) * (r.x1 - r.x0);
  for (const half of rect.halves) spreadCredit(half, (total * area(half)) / area(rect), values, width);
}

/**
 * Partition SHAP with `maxEvals` model evaluations (the empty coalition not counted, as shap);
 * returns one value per pixel, row-major, summing to f(image) - f(black).
 */
export async function naivePartitionShap(tf: Tf, model: Model, image: tfNamespace.Tensor4D, target: number, maxEvals: number) {
  const [, h, w] = image.shape;
  const scoreOf = async (shown: readonly Rect[]) => {
    const keep = new Float32Array(h * w);
    for (const r of shown) for (let y = r.y0; y < r.y1; y++) keep.fill(1, y * w + r.x0, y * w + r.x1);
    const score = tf.tidy(() =>
      (model.predict(tf.mul(image, tf.tensor4d(keep, [1, h, w, 1]))) as tfNamespace.Tensor).slice([0, target], [1, 1]),
    );
    const value = (await score.data())[0]!;
    score.dispose();
    return value;
  };
  const root = halve(0, h, 0, w);
  const queue: Task[] = [];
  let order = 0;
  const push = (rect: Rect, shown: readonly Rect[], f00: number, f11: number, weight: number) =>
    queue.push({ rect, shown, f00, f11, weight, priority: Math.abs(f11 - f00) * weight, order: order++ });
  push(root, [], await scoreOf([]), await scoreOf([root]), 1);
  for (let evals = 0; queue.length > 0;) {
    const t = popBest(queue);
    if (!t.rect.halves || evals >= maxEvals) {
      t.rect.credit += (t.f11 - t.f00) * t.weight;
      continue;
    }
    const [a, b] = t.rect.halves;
    const f10 = await scoreOf([a, ...t.shown]);
    const f01 = await scoreOf([b, ...t.shown]);
    evals += 2;
    const half = t.weight / 2;
    push(a, t.shown, t.f00, f10, half);
    push(b, t.shown, t.f00, f01, half);
    push(a, [b, ...t.shown], f01, t.f11, half);
    push(b, [a, ...t.shown], f10, t.f11, half);
  }
  const values = new Float64Array(h * w);
  spreadCredit(root, 0, values, w);
  return values;
}
