// SPDX-License-Identifier: Apache-2.0
// What every CAM method shares: resolve and split the layer(s), one pass per layer for the
// activation (+ gradient), the method's weights, the fused cam-map kernel, then multi-layer
// averaging and test-time augmentation as pytorch-grad-cam does.
import * as tf from '@tensorflow/tfjs';
import { InvalidOptionError } from '@webxai/shaders';
import { booleanOption, integerOption } from '../api/options.js';
import { fitBatchToDevice } from '../api/batch-limit.js';
import { checkTargetClass, givenTargets } from '../api/targets.js';
import type { OptionNames } from '../api/option-names.js';
import type { CallContext, CommonOptions, MethodDefinition, MethodOptions, MethodOutput, OptionsFor } from '../api/types.js';
import { modelLayers, resolveLayers, type ModelLayers } from '../model/split/list-layers.js';
import type { KeyedLayer } from '../model/split/layers-program.js';
import type { ModelSplit, SplitContext } from '../model/split/types.js';
import type { ModelAdapter } from '../model/types.js';
import { augmentBatch, augmentedClasses, augmentedRows, deaugmentMean } from './augment.js';
import { camMaps } from './cam-map.js';
import { eigenCamMaps } from './eigen.js';
import { choiceOption } from '../api/options.js';
import { forwardBackward, forwardBackwardMany, ownArgmax, type ChooseClasses } from './evidence.js';
import { flushTfjs, takesHostCopy } from '../interop/tfjs-webgpu.js';
import { averageLayers } from './normalise.js';
import { pooledDenseEvidence, pooledDenseTail } from './pooled-dense-tail.js';
import { signedAttribution, signedCamMap } from './signed-map.js';
import {
  BATCHED_CAM_OPTION_NAMES,
  CAM_OPTION_NAMES,
  EIGEN_SIGN_CONVENTIONS,
  type BatchedCamOptions,
  type CamMethodName,
  type EigenSignConvention,
} from './types.js';
import { checkpoint } from '../api/abort.js';
import { readChecked, readCheckedWithScores } from '../api/input-check.js';
import { camModelFault, nonFiniteMarks, throwIfModelFault } from './model-fault.js';
import { blankMapWarnings, blankRanges, type LayerPeaks, type RidingCall } from './peak-readback.js';
import { passScores, type CamStrategy, type LayerPass } from './strategy.js';
import { disposeResult } from '../api/dispose-result.js';

function isGraphModel(model: ModelAdapter): boolean {
  return model.kind === 'graph';
}

/** flushTfjs after a failure; a lost device has nothing left to flush (the failure says so). */
function flushQuietly(): void {
  try {
    flushTfjs();
  } catch {
    // The device is gone: the error being thrown reports it.
  }
}

/** Builds the method definition of one CAM method from its strategy. */
export function camMethod<M extends CamMethodName>(name: M, strategy: CamStrategy): MethodDefinition<M> {
  return {
    name,
    // The input check rides along with the map peaks' readback (Ablation-CAM: its minima's; Score-CAM
    // reads it before its forward passes). NaN input only flows through fixed-length GPU passes.
    defersInputCheck: true,
    requires: strategy.gradients ? 'gradients' : 'predictions',
    // Only the channel-batched CAMs (a defaultBatchSize) take batchSize.
    optionNames: (strategy.defaultBatchSize === undefined ? CAM_OPTION_NAMES : BATCHED_CAM_OPTION_NAMES) as OptionNames<MethodOptions<M>>,
    create(model, methodOptions: OptionsFor<M>) {
      const options = methodOptions as BatchedCamOptions & CommonOptions;
      const eigenSmooth = booleanOption(name, 'eigenSmooth', options.eigenSmooth, false);
      const augSmooth = booleanOption(name, 'augSmooth', options.augSmooth, false);
      const signConvention = choiceOption(name, 'signConvention', options.signConvention, 'channel-sum', EIGEN_SIGN_CONVENTIONS);
      if (options.signConvention !== undefined && name !== 'eigen-cam' && !eigenSmooth) {
        throw new InvalidOptionError(
          `${name}: signConvention applies to Eigen-CAM and eigenSmooth only; set eigenSmooth: true or drop signConvention`,
        );
      }
      const batchSize = integerOption(name, 'batchSize', options.batchSize, strategy.defaultBatchSize ?? 16);
      const spec = options.layer ?? 'auto';
      const relu = booleanOption(name, 'relu', options.relu, true);
      if (!relu && (name === 'eigen-cam' || eigenSmooth || Array.isArray(spec))) {
        throw new InvalidOptionError(
          `${name}: relu: false needs one layer and channel weights (not Eigen-CAM, eigenSmooth or a layer array); drop relu or pass a single layer name`,
        );
      }
      const preprocess = options.preprocess;
      const splits = new Map<string, ModelSplit>();
      const layersFor = (shape?: readonly [number, number, number]): { layers: ModelLayers; chosen: KeyedLayer[] } => {
        const layers = modelLayers(model.source, shape && isGraphModel(model) ? { inputShape: shape } : {});
        return { layers, chosen: resolveLayers(layers, spec) };
      };
      // Fail early on bad layers where the model's layer shapes are known without an input.
      const declared = model.inputShape;
      if (model.kind === 'layers' || (model.kind === 'graph' && declared?.every((d) => d !== null)))
        layersFor(declared as [number, number, number]);
      else if (model.kind !== 'graph') modelLayers(model.source); // functions and black boxes: UnsupportedModelError

      return {
        async explain(input, call) {
          const [, height, width, channels] = input.shape;
          const { layers, chosen } = layersFor([height, width, channels]);
          const splitOf = (layer: KeyedLayer) => {
            const key = `${layer.name}@${height}x${width}`;
            let split = splits.get(key);
            if (!split) splits.set(key, (split = layers.split(layer, preprocess)));
            return split;
          };
          if ((call as RidingCall).ride && (chosen.length !== 1 || augSmooth || !relu || eigenSmooth || name === 'eigen-cam'))
            throw new Error('CAM pipeline: a peak ride needs one layer, relu and no augSmooth or eigen maps');
          const rows = batchAndTargets(input, call, augSmooth);
          const job: CamJob = {
            method: name,
            images: input.shape[0],
            augmented: augSmooth,
            chooseClasses: augSmooth ? augmentedClasses : ownArgmax,
            strategy,
            model,
            call,
            batch: rows.batch,
            batchSize,
            eigenSmooth,
            signConvention,
            relu,
            out: [height, width],
            single: chosen.length === 1,
            resultIsLayerMap: chosen.length === 1 && !augSmooth,
            candidates: layers.usable.map((l) => l.name),
          };
          const perLayer: LayerMaps[] = [];
          let shared: (LayerEvidence | undefined)[] | undefined;
          try {
            if (chosen.length > 1 && !strategy.needsSplit) shared = sharedPass(layers, chosen, job, rows, preprocess);
            for (const [index, layer] of chosen.entries()) {
              await checkpoint(call.signal, name);
              const own = shared?.[index];
              if (shared) shared[index] = undefined;
              perLayer.push(await layerMaps(job, splitOf(layer), rows, own));
              // Perturbation CAMs report their channel batches themselves.
              if (strategy.defaultBatchSize === undefined) call.onProgress?.({ done: index + 1, total: chosen.length });
            }
            const result = finish(perLayer, chosen, Array.isArray(spec), augSmooth);
            let warnings: string[] = [];
            try {
              // Eigen-CAM's and augSmooth's peaks are read here, with the input check when still pending
              // (and augSmooth's classes, when its passes chose them).
              if (relu) {
                const read = await blankMapWarnings(name, result, perLayer, augSmooth, call);
                warnings = read.warnings;
                if (read.classes) takeTargets(job, rows, read.classes.slice(0, job.images));
              }
            } catch (error) {
              disposeResult(result);
              throw error;
            }
            // One layer, no augSmooth: the result is the layer's maps, computed before the peaks' readback.
            if (relu && perLayer.length === 1 && !augSmooth) call.markDrained?.();
            const explained = { ...result, target: rows.targets!, ...(warnings.length > 0 && { warnings }) };
            return explained as unknown as MethodOutput<M>;
          } catch (error) {
            // tfjs frees the buffers of tensors disposed mid-encoder only at its next submit.
            if (call.path === 'gpu') queueMicrotask(flushQuietly);
            throw error;
          } finally {
            if (rows.batch !== input) rows.batch.dispose();
            shared?.forEach((e) => e && disposeEvidence(e));
            tf.dispose(perLayer.flatMap((m) => [m.map, m.attribution, m.devicePeaks, m.scores, m.predicted]));
          }
        },
        dispose() {
          splits.clear();
        },
      };
    },
  };
}

/** What one explain call of a CAM method needs for each of its layers. */
interface CamJob {
  readonly method: CamMethodName;
  /** The images explained (the batch holds augmented copies of them with augSmooth). */
  readonly images: number;
  /** augSmooth: the batch is augmentBatch's (six blocks of the images), the maps are averaged over them. */
  readonly augmented: boolean;
  /** How a pass picks each row's class for the 'predicted' target (augSmooth: the unchanged copy's). */
  readonly chooseClasses: ChooseClasses;
  readonly strategy: CamStrategy;
  readonly model: ModelAdapter;
  readonly call: CallContext;
  /** The batch fed to the model (augmented copies included). */
  readonly batch: tf.Tensor4D;
  readonly batchSize: number;
  readonly eigenSmooth: boolean;
  /** How Eigen-CAM fixes the arbitrary sign of the principal component. */
  readonly signConvention: EigenSignConvention;
  /** Output size [height, width]. */
  readonly out: readonly [number, number];
  /** One layer: cam-map fuses the final normalisation. */
  readonly single: boolean;
  /** One layer, no augSmooth: the result's attribution is the layer's own (not averaged, not de-augmented). */
  readonly resultIsLayerMap: boolean;
  /** ReLU the weighted sum (default); false keeps the signed map (see CamOptions.relu). */
  readonly relu: boolean;
  /** Usable layer names (for errors). */
  readonly candidates: readonly string[];
}

/**
 * The batch and its targets: `targets` one class per image (checked), `rowTargets` one per row of the
 * batch. Given targets are known up front (checked against the model's classes after the first
 * pass); 'predicted' ones are chosen by the first pass (read back with its scores or map peaks).
 */
interface BatchRows {
  readonly batch: tf.Tensor4D;
  targets: number[] | undefined;
  rowTargets: number[] | undefined;
}

/** `targets` (one class per image, checked) become the rows' targets: the passes after it use them. */
function takeTargets(job: CamJob, rows: BatchRows, targets: number[]): void {
  rows.targets = targets;
  rows.rowTargets = job.augmented ? augmentedRows(targets) : targets;
}

/** The batch to explain (with augSmooth, six augmented copies of each image) and the given targets' rows. */
function batchAndTargets(input: tf.Tensor4D, call: CallContext, augSmooth: boolean): BatchRows {
  const given = givenTargets(call.target, input.shape[0]);
  const rowTargets = given && augSmooth ? augmentedRows(given) : given;
  return { batch: augSmooth ? augmentBatch(input) : input, targets: undefined, rowTargets };
}

/**
 * One layer's maps, their per-image peaks (the ReLU'd map's maximum; read once, for the blank-map
 * warnings too) and, for images whose ReLU'd map is all zero, the range of their signed map.
 */
interface LayerMaps extends LayerPeaks {
  readonly map: tf.Tensor3D;
  readonly attribution: tf.Tensor3D;
}

/** One layer: its pass (or its part of the shared pass), the method's weights and the fused cam-map (or Eigen-CAM) maps. */
async function layerMaps(job: CamJob, split: ModelSplit, rows: BatchRows, evidence: LayerEvidence | undefined): Promise<LayerMaps> {
  const { call } = job;
  const pass = evidence ?? runPass(job, split, job.batch, rows.rowTargets);
  // The predicted classes of a gradient CAM, chosen on the GPU: read back with the map peaks, not alone.
  let predicted: tf.Tensor1D | undefined;
  try {
    // A closed-form pass chose the classes already (the ones its gradient is for).
    if (!rows.targets && readsTargetsWithPeaks(job, call))
      predicted = pass.predicted ? tf.clone(pass.predicted) : job.chooseClasses(passScores(pass));
    else if (!rows.targets) {
      // A pass without scores was given the targets (and checked them against the class count).
      takeTargets(job, rows, pass.scores ? await passTargets(job, pass.scores) : rows.rowTargets!.slice(0, job.images));
    }
    // A channel batch is `batchSize` masked inputs (Score-CAM) or activations (Ablation-CAM): it must fit one binding.
    const [, height, width, channels] = job.batch.shape;
    const [, ah, aw, ak] = pass.activation.shape;
    const batchSize = fitBatchToDevice('cam', job.batchSize, 4 * Math.max(height * width * channels, ah * aw * ak), false);
    const targets = rows.rowTargets;
    const full: LayerPass = {
      ...pass,
      split,
      input: job.batch,
      targets,
      ...(predicted && { predicted }),
      call,
      model: job.model,
      batchSize,
    };
    const weights = await job.strategy.weights(full);
    try {
      if (!weights || job.eigenSmooth) {
        const { mapPeaks, ...maps } = await eigenCamMaps(pass.activation, weights, job.out, job.single, call.path, job.signConvention);
        return { ...maps, ...peaksReadLater(mapPeaks, pass, predicted) };
      }
      if (!job.relu) {
        const map = signedCamMap(pass.activation, weights.weights, weights.weighting);
        try {
          const classes = await checkSignedMap(job, split, map, predicted);
          if (classes) takeTargets(job, rows, classes);
        } catch (error) {
          map.dispose();
          throw error;
        }
        return { map, attribution: signedAttribution(map, job.out) };
      }
      const { mapPeaks, ...maps } = await camMaps(pass.activation, weights.weights, weights.weighting, job.out, job.single, call.path);
      // augSmooth: only the result's peaks (the mean over the copies) are read, once, for every layer.
      if (job.augmented) return { ...maps, ...peaksReadLater(mapPeaks, pass, predicted) };
      try {
        // The peaks' readback carries the input check (a bad input throws here) and the predicted classes.
        const signed = () => signedCamMap(pass.activation, weights.weights, weights.weighting);
        // A small result rides along in this readback, so reading it costs the caller no round trip.
        const hostCopy = job.resultIsLayerMap && takesHostCopy(maps.attribution.size) ? maps.attribution : undefined;
        const checkPeaks = (peaks: Float32Array, scoresFinite: boolean) =>
          throwIfModelFault(job.method, split.layer.name, peaks, job.images, scoresFinite);
        const extras = { predicted, hostCopy, scores: pass.scores, ride: (call as RidingCall).ride, maps };
        const { peaks, blank, classes } = await blankRanges(mapPeaks, call, signed, checkPeaks, extras);
        if (classes) takeTargets(job, rows, classes);
        return blank.size ? { ...maps, peaks, blank } : { ...maps, peaks };
      } catch (error) {
        tf.dispose([maps.map, maps.attribution]);
        throw error;
      } finally {
        mapPeaks.dispose();
      }
    } finally {
      weights?.weights.dispose();
    }
  } finally {
    predicted?.dispose();
    disposeEvidence(pass);
  }
}

/**
 * Eigen maps' and augSmooth's layer peaks, left on the GPU for blankMapWarnings' one readback (a NaN
 * peak or NaN scores: a model fault), with the pass's scores and chosen classes (cloned: the pass and
 * `predicted` are disposed before it).
 */
function peaksReadLater(mapPeaks: tf.Tensor1D, pass: LayerEvidence, predicted: tf.Tensor1D | undefined): LayerPeaks {
  return {
    devicePeaks: mapPeaks,
    ...(pass.scores && { scores: tf.clone(pass.scores) }),
    ...(predicted && { predicted: tf.clone(predicted) }),
  };
}

/**
 * The target of each image from a pass's scores, as resolveTargets gives them: a given class checked
 * against the class count, or the class the pass chooses, read back with the call's pending input
 * check (one readback; Score-CAM then has no check of its own to read before its forward passes).
 * @throws {InvalidInputError} the input has a NaN or Inf value.
 * @throws {InvalidOptionError} a target class is out of range.
 */
async function passTargets(job: CamJob, scores: tf.Tensor2D): Promise<number[]> {
  const resolved = givenTargets(job.call.target, job.images) ?? (await predictedClasses(job, scores));
  for (const target of resolved) checkTargetClass(target, scores.shape[1]);
  return resolved;
}

/** Each image's chosen class (its row's, or with augSmooth its unchanged copy's), read back with the call's pending input check. */
async function predictedClasses(job: CamJob, scores: tf.Tensor2D): Promise<number[]> {
  const chosen = job.chooseClasses(scores);
  const values = await readChecked(job.call.inputCheck, chosen).finally(() => chosen.dispose());
  return Array.from(values.subarray(0, job.images));
}

/**
 * Whether a pass's predicted classes can wait for the map peaks' readback: a gradient CAM (its
 * weights need no classes on the host; the pass chose each row's class on the GPU) or a method whose
 * weights take the classes as a GPU tensor (Ablation-CAM: its pooled shortcut on the GPU, its general
 * path with the activation minima it reads anyway) or need none (Eigen-CAM). They ride in blankRanges' readback, checkSignedMap's (relu: false) or, for Eigen
 * maps and augSmooth, blankMapWarnings'. Saves the separate argmax readback the default target cost
 * (one GPU round trip, 1-3 ms on SwiftShader).
 */
function readsTargetsWithPeaks(job: CamJob, call: CallContext): boolean {
  const predicted = call.target === undefined || call.target === 'predicted';
  return predicted && (job.strategy.gradients || job.strategy.takesDeviceClasses === true);
}

/**
 * relu: false: that the signed map is finite (a NaN or Inf is the model's fault: ModelError), read
 * with the pending input check and the `predicted` classes when given (returned): one readback, the
 * one the classes or the check needed anyway; a readback of its own only for Score-CAM, which reads
 * the check before its forward passes (relu: false only; they dominate its time). The scores' own
 * finiteness is not read here.
 * @throws {InvalidInputError} the input has a NaN or Inf value.
 * @throws {ModelError} the map holds a NaN or Inf.
 */
async function checkSignedMap(
  job: CamJob,
  split: ModelSplit,
  map: tf.Tensor3D,
  predicted: tf.Tensor1D | undefined,
): Promise<number[] | undefined> {
  const read = await readCheckedWithScores(job.call.inputCheck, predicted, map);
  if (read.scoresFinite) return predicted ? Array.from(read.values.subarray(0, job.images)) : undefined;
  // The error path only: which image (one more readback).
  const faults = nonFiniteMarks(map);
  const image = (await faults.data().finally(() => faults.dispose())).findIndex((v) => !Number.isFinite(v));
  throw camModelFault(job.method, { layer: split.layer.name, image: Math.max(image, 0) % job.images });
}

/** What one layer's pass gives the weights: activation, gradient (gradient CAMs), scores, the tail's context. */
interface LayerEvidence {
  readonly activation: tf.Tensor4D;
  readonly gradient: tf.Tensor4D | undefined;
  readonly scores: tf.Tensor2D | undefined;
  readonly context: SplitContext;
  /** Each row's argmax class (int32, on the GPU) when the pass picked its targets itself (the closed form). */
  readonly predicted?: tf.Tensor1D;
}

function disposeEvidence(e: LayerEvidence): void {
  tf.dispose([e.activation, e.gradient, e.scores, e.predicted, ...e.context.values()]);
}

/**
 * Several layers of a LayersModel from ONE forward (+ backward) pass, one evidence per layer (each
 * with its own handle on the shared scores); undefined when the model cannot be tapped (GraphModel,
 * a layer with an unknown spatial size): then each layer gets its own pass.
 */
function sharedPass(
  layers: ModelLayers,
  chosen: readonly KeyedLayer[],
  job: CamJob,
  rows: BatchRows,
  preprocess: CommonOptions['preprocess'],
): (LayerEvidence | undefined)[] | undefined {
  const n = job.batch.shape[0];
  const shapes = chosen.map((l) => [n, ...l.outputShape.slice(1)] as [number, number, number, number]);
  if (shapes.some((s) => s.length !== 4 || s.some((d) => !(Number(d) > 0)))) return undefined;
  const tapped = layers.tap(chosen, preprocess);
  if (!tapped) return undefined;
  const many = forwardBackwardMany(tapped, job.batch, shapes, rows.rowTargets, job.candidates, job.strategy.gradients, job.chooseClasses);
  const evidence = many.activations.map((activation, i) => ({
    activation,
    gradient: many.gradients?.[i],
    scores: tf.clone(many.scores),
    context: new Map() as SplitContext,
  }));
  many.scores.dispose();
  return evidence;
}

function runPass(job: CamJob, split: ModelSplit, x: tf.Tensor4D, rowTargets: number[] | undefined): LayerEvidence {
  if (job.strategy.gradients) {
    // A linear GAP + Dense tail has its gradient in closed form: no tape, no backward pass.
    const tail = pooledDenseTail(job.model, split);
    const evidence =
      tail && !tail.activate
        ? pooledDenseEvidence(tail, split, x, rowTargets, job.chooseClasses)
        : forwardBackward(split, x, rowTargets, job.candidates, job.chooseClasses);
    return { ...evidence, context: new Map() as SplitContext };
  }
  const { activation, context } = split.head(x);
  const scores = tf.tidy(() => split.tail(context, activation));
  return { activation, context, scores, gradient: undefined };
}

/** Averages layers and augmentations; returns new tensors (the per-layer maps are disposed by the caller). */
function finish(
  perLayer: readonly LayerMaps[],
  chosen: KeyedLayer[],
  asArray: boolean,
  augSmooth: boolean,
): Omit<MethodOutput<CamMethodName>, 'target'> {
  let attribution = perLayer.length === 1 ? tf.clone(perLayer[0]!.attribution) : averageLayers(perLayer.map((m) => m.attribution));
  let maps = perLayer.map((m) => tf.clone(m.map));
  if (augSmooth) {
    const averaged = deaugmentMean(attribution);
    attribution.dispose();
    attribution = averaged;
    maps = maps.map((m) => {
      const mean = deaugmentMean(m);
      m.dispose();
      return mean;
    });
  }
  const names = chosen.map((l) => l.name);
  const single = !asArray;
  return {
    attribution,
    map: single ? maps[0]! : maps,
    layer: single ? names[0]! : names,
    layers: chosen.map(({ name, outputShape, kind, className }) => ({ name, outputShape, kind, className })),
  };
}
