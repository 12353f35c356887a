// SPDX-License-Identifier: Apache-2.0
// The anchor search of alibi's AnchorBaseBeam: a beam search over anchor sizes, KL-LUCB to pick the
// best candidates of each size, and per-candidate sampling until its precision bound is decided.
import { throwIfAborted } from '@webxai/shaders';
import { UniformStream } from '../shared/random.js';
import type { SegmentWorkspace } from '../shared/segment-workspace.js';
import { klucbBeta, lowerBernoulli, upperBernoulli } from './kl-bounds.js';

/** The search's settings (the resolved anchors options). */
export interface AnchorSearchOptions {
  readonly threshold: number;
  readonly delta: number;
  readonly tolerance: number;
  readonly samplesPerDraw: number;
  readonly pSample: number;
  readonly beamSize: number;
  readonly maxAnchorSize: number | undefined;
  readonly minSamplesStart: number;
  readonly maxSamples: number;
  readonly seed: number;
}

/** What the search found for one image. */
export interface FoundAnchor {
  readonly anchor: number[];
  readonly precision: number;
  readonly coverage: number;
  readonly samples: number;
}

/** Samples that satisfy an anchor: how many, how many kept the prediction, and which rows. */
interface Stats {
  n: number;
  positives: number;
  rows: number[];
}

/** alibi's epsilon_stop: a candidate is sampled until its bound is this far from the threshold. */
const EPSILON_STOP = 0.05;

/**
 * Runs the anchor search for one image on `ws` (its superpixels are the `features` predicates).
 * Every perturbation sample is kept with the predicate values it satisfies, so a new candidate
 * inherits its parent's samples (alibi's t_idx intersection).
 */
export function beamSearch(
  ws: SegmentWorkspace,
  features: number,
  target: number,
  o: AnchorSearchOptions,
  signal: AbortSignal | undefined,
): Promise<FoundAnchor> {
  return new AnchorSearch(ws, features, target, o, signal).run();
}

class AnchorSearch {
  private readonly stream: UniformStream;
  private readonly pOn: number;
  private readonly data: Uint8Array[] = [];
  private readonly labels: number[] = [];
  private readonly stats = new Map<string, Stats>();
  private budgetLeft: number;

  constructor(
    private readonly ws: SegmentWorkspace,
    private readonly features: number,
    private readonly target: number,
    private readonly o: AnchorSearchOptions,
    private readonly signal: AbortSignal | undefined,
  ) {
    this.stream = new UniformStream(o.seed);
    this.pOn = 1 - o.pSample;
    this.budgetLeft = o.maxSamples;
  }

  async run(): Promise<FoundAnchor> {
    const empty = await this.sampleEmptyAnchor();
    if (empty) return empty;
    const maxSize = this.o.maxAnchorSize ?? this.features;
    const bestOfSize: number[][][] = [[[]]];
    let bestCoverage = -1;
    let best: number[] | undefined;
    let size = 1;
    for (; size <= maxSize && this.budgetLeft > 0; size++) {
      throwIfAborted(this.signal, 'anchors');
      const candidates = this.propose(bestOfSize[size - 1]!, bestCoverage);
      if (!candidates.length) break;
      const chosen = await this.klLucb(candidates, Math.min(this.o.beamSize, candidates.length));
      bestOfSize[size] = chosen;
      let stop = false;
      for (const t of chosen) {
        if ((await this.decide(t)) && this.coverage(t) > bestCoverage) {
          bestCoverage = this.coverage(t);
          best = t;
          if (bestCoverage === 1) stop = true;
        }
      }
      if (stop) break;
    }
    if (!best) best = await this.bestSeen(bestOfSize.slice(0, size).flat());
    return this.found(best);
  }

  private found(anchor: number[]): FoundAnchor {
    return { anchor, precision: this.mean(anchor), coverage: this.coverage(anchor), samples: this.o.maxSamples - this.budgetLeft };
  }

  /** The empty anchor first: maybe the prediction never changes (then it is the answer). */
  private async sampleEmptyAnchor(): Promise<FoundAnchor | undefined> {
    const { o } = this;
    await this.draw([[]], [o.minSamplesStart]);
    let m = this.mean([]);
    let lb = lowerBernoulli(m, Math.log(1 / o.delta) / this.stat([]).n);
    while (m > o.threshold && lb < o.threshold - o.tolerance && this.budgetLeft > 0) {
      throwIfAborted(this.signal, 'anchors');
      await this.draw([[]], [o.samplesPerDraw]);
      m = this.mean([]);
      lb = lowerBernoulli(m, Math.log(1 / o.delta) / this.stat([]).n);
    }
    return lb > o.threshold ? { anchor: [], precision: m, coverage: 1, samples: o.maxSamples - this.budgetLeft } : undefined;
  }

  /** Every anchor of `parents` plus one feature, with coverage above `bestCoverage`. */
  private propose(parents: readonly number[][], bestCoverage: number): number[][] {
    const proposals = new Map<string, number[]>();
    for (const a of parents) {
      for (let f = 0; f < this.features; f++) {
        if (a.includes(f)) continue;
        const candidate = [...a, f].sort((x, y) => x - y);
        const k = key(candidate);
        if (proposals.has(k) || this.coverage(candidate) <= bestCoverage) continue;
        proposals.set(k, candidate);
        if (!this.stats.has(k)) this.inherit(a, f, k);
      }
    }
    return [...proposals.values()];
  }

  /** The parent's samples that also keep feature f (alibi's t_idx intersection). */
  private inherit(parent: readonly number[], f: number, k: string): void {
    const rows = this.stat(parent).rows.filter((row) => this.data[row]![f] === 1);
    this.stats.set(k, { n: rows.length, positives: rows.reduce((s, row) => s + this.labels[row]!, 0), rows });
  }

  /** Samples `t` until its precision is decided; true when it clears threshold - epsilon_stop. */
  private async decide(t: readonly number[]): Promise<boolean> {
    const { o } = this;
    const beta = Math.log(1 / (o.delta / (1 + (o.beamSize - 1) * this.features)));
    const bounds = () => {
      const s = this.stat(t);
      const mu = s.positives / s.n;
      return [mu, lowerBernoulli(mu, beta / s.n), upperBernoulli(mu, beta / s.n)] as const;
    };
    let [mu, lo, hi] = bounds();
    while (
      ((mu >= o.threshold && lo < o.threshold - EPSILON_STOP) || (mu < o.threshold && hi >= o.threshold + EPSILON_STOP)) &&
      this.budgetLeft > 0
    ) {
      throwIfAborted(this.signal, 'anchors');
      await this.draw([t], [o.samplesPerDraw]);
      [mu, lo, hi] = bounds();
    }
    return mu >= o.threshold && lo > o.threshold - EPSILON_STOP;
  }

  /** No anchor cleared the bound: the best of everything tried (KL-LUCB while budget is left). */
  private async bestSeen(all: number[][]): Promise<number[]> {
    if (all.length > 1 && this.budgetLeft > 0) return (await this.klLucb(all, 1))[0]!;
    return all.reduce((b, a) => (this.mean(a) > this.mean(b) ? a : b), all[0]!);
  }

  private stat(a: readonly number[]): Stats {
    let s = this.stats.get(key(a));
    if (!s) this.stats.set(key(a), (s = { n: 0, positives: 0, rows: [] }));
    return s;
  }

  private mean(a: readonly number[]): number {
    const s = this.stat(a);
    return s.n ? s.positives / s.n : 0;
  }

  /** P(a perturbation keeps every superpixel of `a`). */
  private coverage(a: readonly number[]): number {
    return this.pOn ** a.length;
  }

  /** Draws counts[j] perturbations for anchors[j] in one model call; updates their stats. */
  private async draw(list: readonly (readonly number[])[], counts: readonly number[]): Promise<void> {
    const { features } = this;
    const total = Math.min(
      counts.reduce((a, b) => a + b, 0),
      this.budgetLeft,
    );
    if (total <= 0) return;
    const masks = new Float32Array(total * features);
    const owner: number[] = [];
    let r = 0;
    list.forEach((a, j) => {
      const inAnchor = new Set(a);
      for (let c = 0; c < counts[j]! && r < total; c++, r++) {
        for (let f = 0; f < features; f++) masks[r * features + f] = inAnchor.has(f) || this.stream.next() < this.pOn ? 1 : 0;
        owner.push(j);
      }
    });
    this.ws.setSamples(masks);
    // Every hit of the draw is needed before the search goes on: one readback for all its batches.
    const hits = await this.ws.evaluate(this.target, undefined, 0, total, 'hit', 'once');
    this.budgetLeft -= total;
    for (let row = 0; row < total; row++) {
      const index = this.data.length;
      this.data.push(Uint8Array.from(masks.subarray(row * features, (row + 1) * features)));
      this.labels.push(hits[row]!);
      const s = this.stat(list[owner[row]!]!);
      s.n++;
      s.positives += hits[row]!;
      s.rows.push(index);
    }
  }

  /** KL-LUCB (alibi's kllucb): the top `top` candidates by precision, sampling until separated. */
  private async klLucb(candidates: number[][], top: number): Promise<number[][]> {
    const empty = candidates.filter((a) => this.stat(a).n === 0);
    if (empty.length)
      await this.draw(
        empty,
        empty.map(() => 1),
      );
    if (candidates.length === top) return candidates;
    const ub = new Float64Array(candidates.length);
    const lbs = new Float64Array(candidates.length);
    let t = 1;
    const update = () => {
      const order = candidates.map((_, j) => j).sort((a, b) => this.mean(candidates[a]!) - this.mean(candidates[b]!) || a - b);
      const beta = klucbBeta(candidates.length, t, this.o.delta);
      const inTop = order.slice(-top);
      const rest = order.slice(0, -top);
      for (const j of rest) ub[j] = upperBernoulli(this.mean(candidates[j]!), beta / this.stat(candidates[j]!).n);
      for (const j of inTop) lbs[j] = lowerBernoulli(this.mean(candidates[j]!), beta / this.stat(candidates[j]!).n);
      const ut = rest.reduce((b, j) => (ub[j]! > ub[b]! ? j : b), rest[0]!);
      const lt = inTop.reduce((b, j) => (lbs[j]! < lbs[b]! ? j : b), inTop[0]!);
      return [ut, lt, order] as const;
    };
    let [ut, lt, order] = update();
    while (ub[ut]! - lbs[lt]! > this.o.tolerance && this.budgetLeft > 0) {
      throwIfAborted(this.signal, 'anchors');
      await this.draw([candidates[ut]!, candidates[lt]!], [this.o.samplesPerDraw, this.o.samplesPerDraw]);
      t++;
      [ut, lt, order] = update();
    }
    return order.slice(-top).map((j) => candidates[j]!);
  }
}

const key = (a: readonly number[]) => a.join(',');
