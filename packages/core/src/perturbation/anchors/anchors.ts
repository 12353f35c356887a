// SPDX-License-Identifier: Apache-2.0
import * as tf from '@tensorflow/tfjs';
import { throwIfAborted } from '@webxai/shaders';
import type { CallContext, ExplainResultBase, MethodDefinition } from '../../api/types.js';
import type { ModelAdapter } from '../../model/types.js';
import type { SegmentOptions } from '../../segment/segment.js';
import { originalScores } from '../shared/evaluate.js';
import { checkFill, type FillOption, type SegmentsInput } from '../shared/features.js';
import { integerOption, numberOption, seedOption } from '../../api/options.js';
import { featureSource } from '../shared/prepare.js';
import { UniformStream } from '../shared/random.js';
import { SegmentWorkspace } from '../shared/segment-workspace.js';
import { stackMaps, stackSegments } from '../shared/stack.js';
import { perturbationEnv } from '../shared/env.js';
import { klucbBeta, lowerBernoulli, upperBernoulli } from './kl-bounds.js';
import type { OptionNames } from '../../api/option-names.js';

/** Options of `'anchors'` (alibi's AnchorImage; names camelCased, same defaults). */
export interface AnchorsOptions {
  /** Target precision tau of the anchor (alibi: threshold). Default 0.95. */
  readonly threshold?: number;
  /** Confidence: the precision bound holds with probability 1 - delta. Default 0.1. */
  readonly delta?: number;
  /** KL-LUCB tolerance epsilon (alibi: tau). Default 0.15. */
  readonly tolerance?: number;
  /** Samples per draw (alibi: batch_size). Default 100. */
  readonly samplesPerDraw?: number;
  /** Probability that a superpixel outside the anchor is replaced by its fill. Default 0.5. */
  readonly pSample?: number;
  /** Candidates kept per anchor size. Default 1. */
  readonly beamSize?: number;
  /** Largest anchor (superpixels). Default: no limit. */
  readonly maxAnchorSize?: number;
  /** Samples of the empty anchor before the search. Default 100. */
  readonly minSamplesStart?: number;
  /** Safety cap on model evaluations per image (not in alibi); the best anchor so far is returned. Default 20000. */
  readonly maxSamples?: number;
  /** What replaced superpixels show: 'mean' (alibi's default: the superpixel's mean), 'zero', 'blur', a value. */
  readonly fill?: FillOption;
  readonly segments?: SegmentsInput;
  /** Default SLIC with alibi's settings (10 segments, compactness 10). */
  readonly segmentation?: SegmentOptions;
  readonly seed?: number;
  readonly batchSize?: number;
}

/** Option names of anchors (checked against AnchorsOptions by the compiler; other names are rejected). */
export const ANCHORS_OPTION_NAMES: OptionNames<AnchorsOptions> = { threshold: true, delta: true, tolerance: true, samplesPerDraw: true, pSample: true, beamSize: true, maxAnchorSize: true, minSamplesStart: true, maxSamples: true, fill: true, segments: true, segmentation: true, seed: true, batchSize: true };

/** Result of `'anchors'`. */
export interface AnchorsResult extends ExplainResultBase {
  /** [n, h, w]: 1 on the anchor's superpixels, 0 elsewhere. */
  readonly attribution: tf.Tensor3D;
  readonly segments: tf.Tensor3D;
  /** The anchor's superpixels per image (sorted). */
  readonly anchor: number[][];
  /** Estimated precision: P(model still predicts the target | anchor kept). */
  readonly precision: number[];
  /** Coverage: P(a perturbation keeps the anchor) = (1 - pSample)^|anchor| (alibi estimates it from 10000 samples). */
  readonly coverage: number[];
  /** Model evaluations spent per image. */
  readonly samples: number[];
}

declare module '../../api/types.js' {
  interface MethodRegistry {
    anchors: { options: AnchorsOptions; result: AnchorsResult };
  }
}

const NAME = 'anchors';
export const ANCHORS_SEGMENTATION: SegmentOptions = { method: 'slic', segments: 10, compactness: 10 };

interface Resolved {
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

/**
 * Image anchors (Ribeiro, Singh, Guestrin, "Anchors: High-Precision Model-Agnostic Explanations",
 * AAAI 2018) as alibi's AnchorImage / AnchorBaseBeam: superpixels as predicates, perturbations that
 * replace each superpixel outside the anchor with probability pSample, and a beam search over
 * anchor sizes in which KL-LUCB picks the best candidates and each is sampled until its precision
 * bound clears threshold - epsilon_stop (0.05), keeping the highest-coverage anchor that does.
 *
 * @example
 * const r = await explain(model, image, { method: 'anchors', threshold: 0.95, seed: 1 });
 * r.anchor[0]; // e.g. [2, 7]; r.precision[0] >= ~0.95; r.coverage[0] = 0.25
 */
export const anchors: MethodDefinition<'anchors'> = {
  name: NAME,
  requires: 'predictions',
  optionNames: ANCHORS_OPTION_NAMES,
  create(model, options) {
    const r: Resolved = {
      threshold: numberOption(NAME, 'threshold', options.threshold, 0.95, 0, 1),
      delta: numberOption(NAME, 'delta', options.delta, 0.1, 0, 1, true),
      tolerance: numberOption(NAME, 'tolerance', options.tolerance, 0.15, 0, 1),
      samplesPerDraw: integerOption(NAME, 'samplesPerDraw', options.samplesPerDraw, 100, 1),
      pSample: numberOption(NAME, 'pSample', options.pSample, 0.5, 0, 1, true),
      beamSize: integerOption(NAME, 'beamSize', options.beamSize, 1, 1),
      maxAnchorSize: options.maxAnchorSize === undefined ? undefined : integerOption(NAME, 'maxAnchorSize', options.maxAnchorSize, 1, 1),
      minSamplesStart: integerOption(NAME, 'minSamplesStart', options.minSamplesStart, 100, 1),
      maxSamples: integerOption(NAME, 'maxSamples', options.maxSamples, 20000, 1),
      seed: seedOption(NAME, options.seed),
    };
    checkFill(NAME, options.fill);
    if (options.batchSize !== undefined) integerOption(NAME, 'batchSize', options.batchSize, 1);
    return { explain: (input, call) => explainAnchors(model, input, call, options, r), dispose() {} };
  },
};

async function explainAnchors(model: ModelAdapter, input: tf.Tensor4D, call: CallContext, options: AnchorsOptions & { preprocess?: unknown }, o: Resolved) {
  const [n, height, width] = input.shape;
  const env = perturbationEnv(NAME, model, input, call, options);
  const { targets } = await originalScores(model, input, call.target, call.signal);
  const prepare = await featureSource(NAME, input, options.segments, options.segmentation ?? ANCHORS_SEGMENTATION, options.fill ?? 'mean', call.signal);
  const maps: Float32Array[] = [];
  const labelMaps: Int32Array[] = [];
  const found: { anchor: number[]; precision: number; coverage: number; samples: number }[] = [];
  for (let i = 0; i < n; i++) {
    const image = await prepare(i);
    let workspace: SegmentWorkspace | undefined;
    try {
      const features = image.map.count;
      workspace = SegmentWorkspace.create(env, image.tensor, image.values, image.map, image.fill, new Float32Array(features));
      const result = await beamSearch(workspace, features, targets[i]!, o, call.signal);
      const mask = new Float32Array(features);
      for (const f of result.anchor) mask[f] = 1;
      maps.push(await workspace.scatter(mask));
      labelMaps.push(image.map.labels);
      found.push(result);
    } finally {
      workspace?.release();
      image.tensor.dispose();
    }
  }
  return {
    attribution: stackMaps(maps, height, width),
    segments: stackSegments(labelMaps, height, width),
    anchor: found.map((f) => f.anchor),
    precision: found.map((f) => f.precision),
    coverage: found.map((f) => f.coverage),
    samples: found.map((f) => f.samples),
    target: targets,
  };
}

interface Stats {
  n: number;
  positives: number;
  rows: number[];
}

async function beamSearch(ws: SegmentWorkspace, features: number, target: number, o: Resolved, signal: AbortSignal | undefined) {
  const stream = new UniformStream(o.seed);
  const pOn = 1 - o.pSample;
  const data: Uint8Array[] = [];
  const labels: number[] = [];
  const stats = new Map<string, Stats>();
  const key = (a: readonly number[]) => a.join(',');
  const stat = (a: readonly number[]) => {
    let s = stats.get(key(a));
    if (!s) stats.set(key(a), (s = { n: 0, positives: 0, rows: [] }));
    return s;
  };
  const coverage = (a: readonly number[]) => pOn ** a.length;
  let budgetLeft = o.maxSamples;

  /** Draws counts[j] perturbations for anchors[j] in one model call; updates their stats. */
  const draw = async (list: readonly (readonly number[])[], counts: readonly number[]) => {
    const total = Math.min(counts.reduce((a, b) => a + b, 0), budgetLeft);
    if (total <= 0) return;
    const masks = new Float32Array(total * features);
    const owner: number[] = [];
    let r = 0;
    list.forEach((a, j) => {
      const inAnchor = new Set(a);
      for (let c = 0; c < counts[j]! && r < total; c++, r++) {
        for (let f = 0; f < features; f++) masks[r * features + f] = inAnchor.has(f) || stream.next() < pOn ? 1 : 0;
        owner.push(j);
      }
    });
    ws.setSamples(masks);
    const hits = await ws.evaluate(target, undefined, 0, total, 'hit');
    budgetLeft -= total;
    for (let row = 0; row < total; row++) {
      const index = data.length;
      data.push(Uint8Array.from(masks.subarray(row * features, (row + 1) * features)));
      labels.push(hits[row]!);
      const s = stat(list[owner[row]!]!);
      s.n++;
      s.positives += hits[row]!;
      s.rows.push(index);
    }
  };
  const mean = (a: readonly number[]) => {
    const s = stat(a);
    return s.n ? s.positives / s.n : 0;
  };

  // The empty anchor first: maybe the prediction never changes.
  await draw([[]], [o.minSamplesStart]);
  let m = mean([]);
  let lb = lowerBernoulli(m, Math.log(1 / o.delta) / stat([]).n);
  while (m > o.threshold && lb < o.threshold - o.tolerance && budgetLeft > 0) {
    throwIfAborted(signal, NAME);
    await draw([[]], [o.samplesPerDraw]);
    m = mean([]);
    lb = lowerBernoulli(m, Math.log(1 / o.delta) / stat([]).n);
  }
  if (lb > o.threshold) return { anchor: [], precision: m, coverage: 1, samples: o.maxSamples - budgetLeft };

  const epsilonStop = 0.05;
  const maxSize = o.maxAnchorSize ?? features;
  const bestOfSize: number[][][] = [[[]]];
  let bestCoverage = -1;
  let best: number[] | undefined;
  let size = 1;
  for (; size <= maxSize && budgetLeft > 0; size++) {
    throwIfAborted(signal, NAME);
    // Propose: every best anchor of the previous size plus one feature, above the best coverage.
    const proposals = new Map<string, number[]>();
    for (const a of bestOfSize[size - 1]!) {
      for (let f = 0; f < features; f++) {
        if (a.includes(f)) continue;
        const candidate = [...a, f].sort((x, y) => x - y);
        const k = key(candidate);
        if (proposals.has(k) || coverage(candidate) <= bestCoverage) continue;
        proposals.set(k, candidate);
        if (!stats.has(k)) {
          // Inherit the parent's samples that satisfy the new predicate (alibi's t_idx intersection).
          const parent = stat(a);
          const rows = parent.rows.filter((row) => data[row]![f] === 1);
          stats.set(k, { n: rows.length, positives: rows.reduce((s, row) => s + labels[row]!, 0), rows });
        }
      }
    }
    const candidates = [...proposals.values()];
    if (!candidates.length) break;
    const chosen = await klLucb(candidates, Math.min(o.beamSize, candidates.length));
    bestOfSize[size] = chosen;
    let stop = false;
    for (const t of chosen) {
      const beta = Math.log(1 / (o.delta / (1 + (o.beamSize - 1) * features)));
      const bounds = () => {
        const s = stat(t);
        const mu = s.positives / s.n;
        return [mu, lowerBernoulli(mu, beta / s.n), upperBernoulli(mu, beta / s.n)] as const;
      };
      let [mu, lo, hi] = bounds();
      while (((mu >= o.threshold && lo < o.threshold - epsilonStop) || (mu < o.threshold && hi >= o.threshold + epsilonStop)) && budgetLeft > 0) {
        throwIfAborted(signal, NAME);
        await draw([t], [o.samplesPerDraw]);
        [mu, lo, hi] = bounds();
      }
      if (mu >= o.threshold && lo > o.threshold - epsilonStop && coverage(t) > bestCoverage) {
        bestCoverage = coverage(t);
        best = t;
        if (bestCoverage === 1) stop = true;
      }
    }
    if (stop) break;
  }
  if (!best) {
    const all = bestOfSize.slice(0, size).flat();
    best = all.length > 1 && budgetLeft > 0 ? (await klLucb(all, 1))[0]! : all.reduce((b, a) => (mean(a) > mean(b) ? a : b), all[0]!);
  }
  return { anchor: best, precision: mean(best), coverage: coverage(best), samples: o.maxSamples - budgetLeft };

  /** KL-LUCB (alibi's kllucb): the top `top` candidates by precision, sampling until separated. */
  async function klLucb(candidates: number[][], top: number): Promise<number[][]> {
    const empty = candidates.filter((a) => stat(a).n === 0);
    if (empty.length) await draw(empty, empty.map(() => 1));
    if (candidates.length === top) return candidates;
    const ub = new Float64Array(candidates.length);
    const lbs = new Float64Array(candidates.length);
    let t = 1;
    const update = () => {
      const order = candidates.map((_, j) => j).sort((a, b) => mean(candidates[a]!) - mean(candidates[b]!) || a - b);
      const beta = klucbBeta(candidates.length, t, o.delta);
      const inTop = order.slice(-top);
      const rest = order.slice(0, -top);
      for (const j of rest) ub[j] = upperBernoulli(mean(candidates[j]!), beta / stat(candidates[j]!).n);
      for (const j of inTop) lbs[j] = lowerBernoulli(mean(candidates[j]!), beta / stat(candidates[j]!).n);
      const ut = rest.reduce((b, j) => (ub[j]! > ub[b]! ? j : b), rest[0]!);
      const lt = inTop.reduce((b, j) => (lbs[j]! < lbs[b]! ? j : b), inTop[0]!);
      return [ut, lt, order] as const;
    };
    let [ut, lt, order] = update();
    while (ub[ut]! - lbs[lt]! > o.tolerance && budgetLeft > 0) {
      throwIfAborted(signal, NAME);
      await draw([candidates[ut]!, candidates[lt]!], [o.samplesPerDraw, o.samplesPerDraw]);
      t++;
      [ut, lt, order] = update();
    }
    return order.slice(-top).map((j) => candidates[j]!);
  }
}
