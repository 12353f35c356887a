// SPDX-License-Identifier: Apache-2.0
// Ablation-CAM (Desai & Ramaswamy, WACV 2020) as pytorch-grad-cam's ablation_cam.py: the relative
// drop of the target score when one channel of the layer is ablated, (score - ablated) / score.
// Only the tail runs per batch (the split model's head output is reused), which is why a late
// layer makes it cheap. Ablation sets the channel to 0 when the image's activation minimum is 0
// (ReLU outputs), otherwise to that minimum - 1e7, as pytorch-grad-cam's AblationLayer.
// On the GPU path the ablation-batch kernel writes each batch straight into the tail's input buffer
// (the tf-op version, oneHot + mul + add per batch, compiled shaders per batch: ~40% of its time at
// MobileNetV2's out_relu); a batch's context (skip connections) is tiled once per image and size.
// The batches are written ahead, several per queue.submit (up to WRITE_AHEAD_BYTES): one kernel
// submit per batch, plus the flush of tfjs's recorded tail it forces, cost as much as the tail itself
// once the tail got cheap (MobileNetV2's out_relu, 2x2x1280: 40 tails of GAP + dense).
// A tail that is exactly GAP + Dense (that same out_relu) skips all of it: pooled-dense-tail.ts.
import * as tf from '@tensorflow/tfjs';
import { ablationBatch, ablationBatchRef, recordKernels } from '@webxai/shaders';
import { gpuBufferOf, kernelToTensors, tfjsDevice } from '../interop/tfjs-webgpu.js';
import type { SplitContext } from '../model/split/types.js';
import type { CamWeights } from './gradient-weights.js';
import { passScores, resolvedTargets, type LayerPass } from './strategy.js';
import { checkpoint } from '../api/abort.js';
import { readChecked } from '../api/input-check.js';
import { throwIfModelFault } from './model-fault.js';
import { pooledDenseAblatedScores, pooledDenseAblationWeights, pooledDenseTail, type PooledDenseTail } from './pooled-dense-tail.js';

const ABLATION_OFFSET = 1e7;

/**
 * Ablated activations written ahead of the tail per submit, at most (at least one batch): a
 * 2x2x1280 layer's 40 batches of 32 (26 MB) go in one submit, a 7x7x1280 layer's (8 MB each) in 5.
 */
const WRITE_AHEAD_BYTES = 64 * 2 ** 20;

/** One ablated batch: channels start .. start + count - 1 of one image, each set to the image's ablation value. */
interface AblationSlice {
  readonly start: number;
  readonly count: number;
}

/** The batches of `channels` channels, `batchSize` each (the last one ragged), in groups of at most WRITE_AHEAD_BYTES written in one go (exported for tests). */
export function sliceGroups(channels: number, batchSize: number, bytesPerActivation: number): AblationSlice[][] {
  const perGroup = Math.max(1, Math.floor(WRITE_AHEAD_BYTES / (batchSize * bytesPerActivation)));
  const groups: AblationSlice[][] = [];
  for (let start = 0; start < channels; start += batchSize) {
    const slice = { start, count: Math.min(batchSize, channels - start) };
    const last = groups.at(-1);
    if (last && last.length < perGroup) last.push(slice);
    else groups.push([slice]);
  }
  return groups;
}

/**
 * The ablated batches `[count, h, w, k]` of image `image` (channel start + b of copy b set to
 * `value`): on the GPU path one ablation-batch dispatch per batch, all in ONE submit; on the CPU
 * path its reference (`host` = the activation's values). The caller disposes them.
 */
async function ablatedBatches(
  activation: tf.Tensor4D,
  host: Float32Array | undefined,
  image: number,
  slices: readonly AblationSlice[],
  value: number,
): Promise<tf.Tensor4D[]> {
  const [images, h, w, channels] = activation.shape;
  if (host) {
    const shape = { images, positions: h * w, channels };
    return slices.map((s) => tf.tensor4d(ablationBatchRef(host, shape, image, s.start, s.count, value), [s.count, h, w, channels]));
  }
  const shapes = slices.map((s) => [s.count, h, w, channels] as const);
  const tensors = await kernelToTensors(shapes, (outputs) => {
    const act = gpuBufferOf(activation);
    return recordKernels(tfjsDevice(), 'ablation-cam.batches', (batch) =>
      slices.forEach((s, i) =>
        batch.dispatch(ablationBatch, {
          params: { image, channelStart: s.start, count: s.count, positions: h * w, channels, value },
          act,
          output: outputs[i]!,
        }),
      ),
    );
  });
  return tensors;
}

/** Image `image`'s context, repeated `count` times along the batch (the caller disposes). */
function tiledContext(context: SplitContext, image: number, count: number): SplitContext {
  return new Map(
    [...context].map(
      ([key, t]) => [key, tf.tidy(() => tf.tile(tf.slice(t, image, 1), [count, ...t.shape.slice(1).map(() => 1)]))] as const,
    ),
  );
}

/**
 * Ablation-CAM channel weights `[n, k]` for one layer pass. A tail that is provably global average
 * pooling + Dense takes the exact pooled shortcut (pooled-dense-tail.ts); any other runs the tail on
 * the ablated batches.
 */
export async function ablationCamWeights(pass: LayerPass): Promise<CamWeights> {
  const { activation } = pass;
  const scores = passScores(pass);
  const [n, , , channels] = activation.shape;
  const shortcut = pooledDenseTail(pass.model, pass.split);
  if (shortcut && !shortcut.activate && pass.call.path === 'gpu')
    return { weights: await linearPooledWeights(pass, shortcut), weighting: 'channel' };
  const original = tf.tidy(() => tf.gather(tf.reshape(scores, [-1]), flatTargetIndices(pass, scores.shape[1])));
  const rows: tf.Tensor1D[] = [];
  try {
    if (shortcut) await pooledRows(pass, shortcut, rows);
    else await tailRows(pass, await tailInputs(pass), rows);
    return {
      weights: tf.tidy(() => {
        const ablated = tf.reshape(tf.concat(rows), [n, channels]);
        const base = tf.expandDims(original, 1);
        return tf.div(tf.sub(base, ablated), base);
      }),
      weighting: 'channel',
    };
  } finally {
    tf.dispose([...rows, original]);
  }
}

/**
 * Each row's target score's index in the flattened `[n, classes]` scores: from the host's targets, or
 * from the pass's predicted classes still on the GPU.
 */
function flatTargetIndices(pass: LayerPass, classes: number): tf.Tensor1D {
  const predicted = deviceClasses(pass);
  if (predicted) {
    const rows = predicted.shape[0];
    return tf.add(tf.mul(tf.range(0, rows, 1, 'int32'), tf.scalar(classes, 'int32')), predicted);
  }
  return tf.tensor1d(
    resolvedTargets(pass).map((t, i) => i * classes + t),
    'int32',
  );
}

/** The target class of `image`: a host number, or a `[1]` int32 slice of the GPU's predicted classes. */
function targetOf(pass: LayerPass, image: number): number | tf.Tensor1D {
  const predicted = deviceClasses(pass);
  return predicted ? tf.slice(predicted, image, 1) : resolvedTargets(pass)[image]!;
}

/** The pass's predicted classes on the GPU when the weights use them (no targets on the host), else undefined. */
function deviceClasses(pass: LayerPass): tf.Tensor1D | undefined {
  return pass.targets ? undefined : pass.predicted;
}

/** Each image's ablation value: 0 when its activation minimum is 0 (ReLU outputs), else that minimum - 1e7 (pytorch-grad-cam's AblationLayer). */
function ablationValue(minimum: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(() => tf.where(tf.equal(minimum, 0), tf.zerosLike(minimum), tf.sub(minimum, ABLATION_OFFSET)) as tf.Tensor1D);
}

/** What the general path reads before its tail passes: each row's ablation value and target class. */
interface TailInputs {
  readonly values: Float32Array;
  readonly targets: readonly number[];
}

/**
 * The ablation values read back, for the general path's kernel parameters, with the pass's predicted
 * classes when they are still on the GPU (the tail's scores are sliced at them on the host); the
 * input's NaN/Inf check comes back with them, before any tail pass.
 * @throws {ModelError} an image's activation minimum is NaN or Inf (a kernel parameter must be finite;
 * a NaN that the GPU's min() drops reaches the map peaks' check instead).
 */
async function tailInputs(pass: LayerPass): Promise<TailInputs> {
  const minima = tf.tidy(() => ablationValue(tf.min<tf.Tensor1D>(pass.activation, [1, 2, 3])));
  const rows = minima.shape[0];
  const predicted = deviceClasses(pass);
  const read = await readChecked(pass.call.inputCheck, [minima, predicted]).finally(() => minima.dispose());
  const values = read.slice(0, rows);
  throwIfModelFault('ablation-cam', pass.split.layer.name, values, rows);
  return { values, targets: predicted ? Array.from(read.subarray(rows, 2 * rows)) : resolvedTargets(pass) };
}

/**
 * The weights of a linear GAP + Dense tail on the GPU path: one pooled-ablation-weights dispatch for
 * every image (no readback); progress counts the tail batches the general path would run, an image's
 * worth at a time, as {@link pooledRows} does.
 */
async function linearPooledWeights(pass: LayerPass, tail: PooledDenseTail): Promise<tf.Tensor2D> {
  const { activation, batchSize, call } = pass;
  const scores = passScores(pass);
  const [n, , , channels] = activation.shape;
  const perImage = Math.ceil(channels / batchSize);
  await checkpoint(call.signal, 'ablation-cam');
  const predicted = deviceClasses(pass);
  const targets = predicted ?? tf.tensor1d([...resolvedTargets(pass)], 'int32');
  const weights = await pooledDenseAblationWeights(tail, activation, scores, targets).finally(
    () => targets !== predicted && targets.dispose(),
  );
  try {
    for (let image = 0; image < n; image++) {
      if (image > 0) await checkpoint(call.signal, 'ablation-cam');
      call.onProgress?.({ done: (image + 1) * perImage, total: n * perImage });
    }
  } catch (error) {
    weights.dispose();
    throw error;
  }
  return weights;
}

/**
 * The ablated target scores of a GAP + Dense tail, one row `[k]` per image appended to `rows`, all on
 * the device (no readback: the input check rides with the map peaks'); progress counts the tail
 * batches the general path would run, an image's worth at a time.
 */
async function pooledRows(pass: LayerPass, tail: PooledDenseTail, rows: tf.Tensor1D[]): Promise<void> {
  const { activation, batchSize, call } = pass;
  const [n, , , channels] = activation.shape;
  const perImage = Math.ceil(channels / batchSize);
  const values = tf.tidy(() => ablationValue(tf.min<tf.Tensor1D>(activation, [1, 2, 3])));
  try {
    for (let image = 0; image < n; image++) {
      await checkpoint(call.signal, 'ablation-cam');
      rows.push(tf.tidy(() => pooledDenseAblatedScores(tail, activation, image, targetOf(pass, image), tf.slice(values, image, 1))));
      call.onProgress?.({ done: (image + 1) * perImage, total: n * perImage });
    }
  } finally {
    values.dispose();
  }
}

/** The ablated target scores through the tail, batch by batch, appended to `rows` (`[count]` each, in channel order per image). */
async function tailRows(pass: LayerPass, { values, targets }: TailInputs, rows: tf.Tensor1D[]): Promise<void> {
  const { activation, context, split, batchSize, call } = pass;
  const [n, h, w, channels] = activation.shape;
  const host = call.path === 'cpu' ? ((await activation.data()) as Float32Array) : undefined;
  const batches = n * Math.ceil(channels / batchSize);
  const contexts = new Map<number, SplitContext>();
  const disposeContexts = () => {
    for (const c of contexts.values()) tf.dispose([...c.values()]);
    contexts.clear();
  };
  try {
    for (let image = 0; image < n; image++) {
      const [value, target] = [values[image]!, targets[image]!];
      for (const group of sliceGroups(channels, batchSize, 4 * h * w * channels)) {
        await checkpoint(call.signal, 'ablation-cam');
        const ablated = await ablatedBatches(activation, host, image, group, value);
        try {
          for (const [i, { count }] of group.entries()) {
            if (i > 0) await checkpoint(call.signal, 'ablation-cam');
            let ctx = contexts.get(count);
            if (!ctx) contexts.set(count, (ctx = tiledContext(context, image, count)));
            rows.push(tf.tidy(() => tf.reshape<tf.Rank.R1>(tf.slice(split.tail(ctx, ablated[i]!), [0, target], [count, 1]), [count])));
            ablated[i]!.dispose(); // its tail is recorded: tfjs recycles the buffer after it
            call.onProgress?.({ done: rows.length, total: batches });
          }
        } finally {
          tf.dispose(ablated);
        }
      }
      disposeContexts();
    }
  } finally {
    disposeContexts();
  }
}
