// SPDX-License-Identifier: Apache-2.0
import type * as tf from '@tensorflow/tfjs';
import type { CallContext, ExplainResultBase, MethodDefinition } from '../../api/types.js';
import type { ModelAdapter } from '../../model/types.js';
import type { SegmentOptions } from '../../segment/segment.js';
import { gpuBatches, hostBatches } from '../shared/evaluate.js';
import { checkedInputValues, originalScoresOf } from '../shared/host-input.js';
import { givenTargets } from '../../api/targets.js';
import { checkFill, type FillOption, type SegmentsInput } from '../shared/features.js';
import { integerOption, numberOption, seedOption } from '../../api/options.js';
import { explainPrepared, featureSource, PreparedQueue } from '../shared/prepare.js';
import { SegmentWorkspace } from '../shared/segment-workspace.js';
import { beamSearch, type AnchorSearchOptions, type FoundAnchor } from './beam-search.js';
import { SegmentMaps } from '../shared/segment-maps.js';
import { stackSegments } from '../shared/stack.js';
import { perturbationEnv } from '../shared/env.js';
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
  /**
   * Default SLIC with alibi's settings (10 segments, compactness 10); its labels are computed on the
   * host for images up to 32x32 (SLIC's `placement: 'auto'`: the CPU path's labels, no dispatches and no readback).
   */
  readonly segmentation?: SegmentOptions;
  readonly seed?: number;
  readonly batchSize?: number;
}

/** Option names of anchors (checked against AnchorsOptions by the compiler; other names are rejected). */
export const ANCHORS_OPTION_NAMES: OptionNames<AnchorsOptions> = {
  threshold: true,
  delta: true,
  tolerance: true,
  samplesPerDraw: true,
  pSample: true,
  beamSize: true,
  maxAnchorSize: true,
  minSamplesStart: true,
  maxSamples: true,
  fill: true,
  segments: true,
  segmentation: true,
  seed: true,
  batchSize: true,
};

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

type Resolved = AnchorSearchOptions;

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
  defersInputCheck: true, // checked on the host with a black box's input values (hostInputValues)
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

async function explainAnchors(
  model: ModelAdapter,
  input: tf.Tensor4D,
  call: CallContext,
  options: AnchorsOptions & { preprocess?: unknown },
  o: Resolved,
) {
  const [n, height, width] = input.shape;
  const env = await perturbationEnv(NAME, model, input, call, options);
  // A black box's batches are host-built: its input is read once (values), and the anchor's map is
  // made on the host as well (one 0/1 value per superpixel), so nothing of the search touches the
  // GPU after the segmentation.
  const host = hostBatches(env);
  // Anchors needs every image on the host on every path (SLIC's value range, the fill image, a black
  // box's batches): on the GPU path this one readback also carries the input check, which was a
  // readback of its own (session 31: 5 -> 4 per single-image explanation in Chromium).
  const values = await checkedInputValues(input, call.inputCheck);
  const prepare = await featureSource(
    NAME,
    input,
    options.segments,
    options.segmentation ?? ANCHORS_SEGMENTATION,
    options.fill ?? 'mean',
    call.signal,
    values,
  );
  const maps = new SegmentMaps(gpuBatches(env), [n, height, width]);
  const images = new PreparedQueue(prepare, n);
  const labelMaps: Int32Array[] = [];
  const found: FoundAnchor[] = [];
  // Only the targets are needed from the clean images: a given class needs no forward pass (its
  // range is checked against the first batch's scores, SegmentWorkspace.evaluate).
  const clean = async () =>
    givenTargets(call.target, n) ?? (await originalScoresOf(env, input, host ? values : undefined, call.target)).targets;
  try {
    const targets = await explainPrepared(images, n, clean, async (image, i, targets, keep) => {
      const features = image.map.count;
      const workspace = keep(SegmentWorkspace.create(env, image.tensor, image.values, image.map, image.fill, new Float32Array(features)));
      const result = await beamSearch(workspace, features, targets[i]!, o, call.signal);
      const mask = new Float32Array(features);
      for (const f of result.anchor) mask[f] = 1;
      await workspace.scatter(mask, maps, i);
      labelMaps.push(image.map.labels);
      found.push(result);
    });
    return {
      attribution: maps.take(),
      segments: stackSegments(labelMaps, height, width),
      anchor: found.map((f) => f.anchor),
      precision: found.map((f) => f.precision),
      coverage: found.map((f) => f.coverage),
      samples: found.map((f) => f.samples),
      target: targets,
      ...(host && { path: 'cpu' as const }),
    };
  } finally {
    maps.release();
  }
}
