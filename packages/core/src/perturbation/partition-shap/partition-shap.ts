// SPDX-License-Identifier: Apache-2.0
import type * as tf from '@tensorflow/tfjs';
import type { CallContext, ExplainResultBase, MethodDefinition } from '../../api/types.js';
import type { ModelAdapter } from '../../model/types.js';
import type { SegmentOptions } from '../../segment/segment.js';
import { evaluateBatches, gpuBatches, hostBatches, type HostStaging, type PerturbationEnv } from '../shared/evaluate.js';
import { hostInputValues, originalScoresOf } from '../shared/host-input.js';
import { checkFill, fillImage, userSegments, type FeatureMap, type FillOption, type SegmentsInput } from '../shared/features.js';
import { builtinSegments } from '../shared/features.js';
import { imageAt } from '../shared/evaluate.js';
import { integerOption } from '../../api/options.js';
import { ProgressReporter } from '../shared/progress.js';
import { SegmentWorkspace } from '../shared/segment-workspace.js';
import type { BatchLayout } from '../shared/perturb-cpu.js';
import { SegmentMaps } from '../shared/segment-maps.js';
import { stackSegments } from '../shared/stack.js';
import { perturbationEnv } from '../shared/env.js';
import { owenValues, type CoalitionScorer } from './owen.js';
import { CoalitionWriter } from './coalition-writer.js';
import { iota, orderedPartition, type OrderedPartition } from './partition-tree.js';
import type { OptionNames } from '../../api/option-names.js';

/** Options of `'partition-shap'` (shap's PartitionExplainer with an Image masker). */
export interface PartitionShapOptions {
  /** Model evaluations for the hierarchy (shap: max_evals, default 500). Default 500. */
  readonly maxEvals?: number;
  /** What masked features show: 'blur' (default; shap's "blur(k, k)" masker), 'mean', 'zero', a value, { blur: k }. */
  readonly fill?: FillOption;
  /** Features: your label map. Default: pixels, partitioned by halving rectangles as shap's Image masker. */
  readonly segments?: SegmentsInput;
  /** Or built-in superpixels as features (ignored when `segments` is given). Default: none (pixels). */
  readonly segmentation?: SegmentOptions;
  /** Perturbed images per model call. Default: about 64 MB of input, at most 64. */
  readonly batchSize?: number;
}

/** Option names of partition-shap (checked against PartitionShapOptions by the compiler; other names are rejected). */
export const PARTITION_SHAP_OPTION_NAMES: OptionNames<PartitionShapOptions> = {
  maxEvals: true,
  fill: true,
  segments: true,
  segmentation: true,
  batchSize: true,
};

/** Result of `'partition-shap'`. */
export interface PartitionShapResult extends ExplainResultBase {
  /** [n, h, w]: each pixel shows its feature's value (pixel features: the value itself). */
  readonly attribution: tf.Tensor3D;
  /** int32 [n, h, w]: the features used (pixel index when features are pixels). */
  readonly segments: tf.Tensor3D;
  /** Per image, one Owen value per feature; they sum to f(x) - f(all masked). */
  readonly shapValues: Float32Array[];
  /** f(all masked). */
  readonly baseValue: number[];
  /** f(x). */
  readonly prediction: number[];
  /** Model evaluations spent on the hierarchy (excluding f(x) and f(all masked)). */
  readonly evaluations: number[];
}

declare module '../../api/types.js' {
  interface MethodRegistry {
    'partition-shap': { options: PartitionShapOptions; result: PartitionShapResult };
  }
}

const NAME = 'partition-shap';

/**
 * Partition SHAP (Owen values over a feature hierarchy), as shap's PartitionExplainer with an
 * Image masker: a binary partition of the image (rectangle halving over pixels, or over
 * superpixel centroids), expanded best-first by |delta f| until `maxEvals` model evaluations,
 * remaining credit spread evenly inside unexpanded groups. Values sum to f(x) - f(masked).
 * Differences from shap: channels are not split (a feature is a whole pixel), ties in priority are
 * first-in-first-out instead of random, and no inpainting masker (blur, mean, zero, constant fills).
 *
 * @example
 * const r = await explain(model, image, { method: 'partition-shap', maxEvals: 500 });
 * r.attribution; // [1, h, w], coarse where the hierarchy was not expanded
 */
export const partitionShap: MethodDefinition<'partition-shap'> = {
  name: NAME,
  requires: 'predictions',
  defersInputCheck: true, // checked on the host with a black box's input values (hostInputValues)
  optionNames: PARTITION_SHAP_OPTION_NAMES,
  create(model, options) {
    const maxEvals = integerOption(NAME, 'maxEvals', options.maxEvals, 500, 2, 2 ** 24);
    checkFill(NAME, options.fill);
    if (options.batchSize !== undefined) integerOption(NAME, 'batchSize', options.batchSize, 2);
    const pixelPartitions = new PixelPartitions();
    return {
      explain: (input, call) => explainPartition(model, input, call, { ...options, maxEvals }, pixelPartitions),
      dispose: () => pixelPartitions.clear(),
    };
  },
};

async function explainPartition(
  model: ModelAdapter,
  input: tf.Tensor4D,
  call: CallContext,
  o: PartitionShapOptions & { maxEvals: number; preprocess?: unknown },
  pixelPartitions: PixelPartitions,
) {
  const [n, height, width, channels] = input.shape;
  const env = await perturbationEnv(NAME, model, input, call, o, 2);
  const { batchSize } = env;
  // A black box's input is read once (inputValues): the clean scores, the segments, the fill and
  // the host-written batches all come from it.
  const inputValues = await hostInputValues(env, input, call.inputCheck);
  const { scores: original, classes, targets } = await originalScoresOf(env, input, inputValues, call.target);
  const user = o.segments === undefined ? undefined : await userSegments(NAME, o.segments, n, height, width);
  // With host batches the map is made on the host too (nothing else would use the GPU).
  const maps = new SegmentMaps(gpuBatches(env), [n, height, width]);
  const labelMaps: Int32Array[] = [];
  const values: Float32Array[] = [];
  const baseValue: number[] = [];
  const prediction: number[] = [];
  const evaluations: number[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const { tensor, values: pixelsOf } = await imageAt(input, i, inputValues);
      let workspace: SegmentWorkspace | undefined;
      try {
        const own = user ? user(i) : o.segmentation ? await builtinSegments(tensor, o.segmentation, call.signal, pixelsOf) : undefined;
        const { map, partition } = own ? { map: own, partition: orderedPartition(own, width) } : pixelPartitions.of(height, width);
        const fill = fillImage(o.fill ?? 'blur', pixelsOf, map, height, width, channels);
        const features = map.count;
        const { tree, position } = partition;
        const ordered: FeatureMap = { labels: partition.labels, count: features };
        // Made with one all-masked row; the hierarchy's coalitions (and f00, in the first batch) replace the rows batch by batch.
        workspace = SegmentWorkspace.create(env, tensor, pixelsOf, ordered, fill, new Float32Array(features));
        const ws = workspace;
        const target = targets[i]!;
        // A black box's batches are written on the host from the coalitions' tree nodes; the other
        // paths perturb from the 0/1 mask rows (perturb-batch reads them on the GPU).
        const host = hostBatches(env) ? new CoalitionWriter(partition, pixelsOf, fill, channels) : undefined;
        const score: CoalitionScorer = host
          ? (_, rows, coalitions) => hostScores(env, host, coalitions, rows, target)
          : async (masks) => {
              ws.setSamples(masks);
              return ws.evaluate(target);
            };
        const f11 = original[i * classes + target]!;
        const progress = new ProgressReporter(call.onProgress, [1, height, width]);
        // f(all masked) rides in the first batch of coalitions.
        const {
          values: phi,
          evals,
          f00,
        } = await owenValues(
          tree,
          features,
          undefined,
          f11,
          o.maxEvals,
          batchSize,
          score,
          progress.active ? (done, current) => progress.report(done, o.maxEvals, ws.hostMap(current())) : undefined,
          !host,
        );
        await ws.scatter(phi, maps, i);
        labelMaps.push(map.labels);
        const shap = new Float32Array(features);
        for (let f = 0; f < features; f++) shap[f] = phi[position[f]!]!;
        values.push(shap);
        baseValue.push(f00);
        prediction.push(f11);
        evaluations.push(evals);
      } finally {
        workspace?.release();
        tensor.dispose();
      }
    }
    return {
      attribution: maps.take(),
      segments: stackSegments(labelMaps, height, width),
      shapValues: values,
      baseValue,
      prediction,
      evaluations,
      target: targets,
      // A black box's batches and map are made on the host: nothing of the method ran on the GPU.
      ...(hostBatches(env) && { path: 'cpu' as const }),
    };
  } finally {
    maps.release();
  }
}

/** The target scores of `rows` coalitions, written on the host by `writer` (black boxes). */
async function hostScores(
  env: PerturbationEnv,
  writer: CoalitionWriter,
  coalitions: readonly (readonly number[])[],
  rows: number,
  target: number,
): Promise<Float64Array> {
  const scores = new Float64Array(rows);
  const write = (out: Float32Array, first: number, count: number, layout: BatchLayout, staging?: HostStaging) =>
    writer.write(out, coalitions, first, count, layout, staging);
  // Image, fill and span list staged after the batch, in a WebAssembly.Memory: span-compose.wat writes.
  const host = { on: 'host', staging: writer.stagingLength, wasmMemory: true, write } as const;
  await evaluateBatches(env, rows, host, (first, count, batch, classes) => {
    for (let b = 0; b < count; b++) scores[first + b] = batch[b * classes + target]!;
  });
  return scores;
}

/**
 * Pixel features' partition (the default features): the same for every image of a size, so an
 * explainer keeps the last size's until disposed, instead of 15-20 ms of tree building per image.
 * Held at 224x224: the tree, parents and labels (~2.8 MB) and the node spans its batches used (a node's
 * spans are two ints per rectangle row: ~1.6 MB if every node was used).
 */
class PixelPartitions {
  private last: { height: number; width: number; map: FeatureMap; partition: OrderedPartition } | undefined;

  of(height: number, width: number): { readonly map: FeatureMap; readonly partition: OrderedPartition } {
    if (this.last?.height !== height || this.last.width !== width) {
      const map: FeatureMap = { labels: iota(height * width), count: height * width };
      this.last = { height, width, map, partition: orderedPartition(map, width) };
    }
    return this.last;
  }

  clear(): void {
    this.last = undefined;
  }
}
