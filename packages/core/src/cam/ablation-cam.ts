// SPDX-License-Identifier: Apache-2.0
// Ablation-CAM (Desai & Ramaswamy, WACV 2020) as pytorch-grad-cam's ablation_cam.py: the relative
// drop of the target score when one channel of the layer is ablated, (score - ablated) / score.
// Only the tail runs per batch (the split model's head output is reused), which is why a late
// layer makes it cheap. Ablation sets the channel to 0 when the image's activation minimum is 0
// (ReLU outputs), otherwise to that minimum - 1e7, as pytorch-grad-cam's AblationLayer.
// On the GPU path the ablation-batch kernel writes each batch straight into the tail's input buffer
// (the tf-op version, oneHot + mul + add per batch, compiled shaders per batch: ~40% of its time at
// MobileNetV2's out_relu); a batch's context (skip connections) is tiled once per image and size.
import * as tf from '@tensorflow/tfjs';
import { ablationBatch, ablationBatchRef, runKernel } from '@webxai/shaders';
import { gpuBufferOf, kernelToTensor, tfjsDevice } from '../interop/tfjs-webgpu.js';
import type { SplitContext } from '../model/split/types.js';
import type { CamWeights } from './gradient-weights.js';
import type { LayerPass } from './pipeline.js';
import { checkpoint } from '../api/abort.js';

const ABLATION_OFFSET = 1e7;

/** What one ablated batch needs: image `image`, channels start .. start + count - 1 set to `value`. */
interface AblationSlice {
  readonly image: number;
  readonly start: number;
  readonly count: number;
  readonly value: number;
}

/** The ablated batch `[count, h, w, k]`: the kernel on the GPU path, its reference on the CPU path (`host` = the activation's values). */
async function ablatedBatch(activation: tf.Tensor4D, host: Float32Array | undefined, s: AblationSlice): Promise<tf.Tensor4D> {
  const [images, h, w, channels] = activation.shape;
  const shape = { images, positions: h * w, channels };
  if (host) return tf.tensor4d(ablationBatchRef(host, shape, s.image, s.start, s.count, s.value), [s.count, h, w, channels]);
  const params = { image: s.image, channelStart: s.start, count: s.count, positions: h * w, channels, value: s.value };
  return kernelToTensor([s.count, h, w, channels], (output) =>
    runKernel(tfjsDevice(), ablationBatch, { params, act: gpuBufferOf(activation), output }),
  );
}

/** Image `image`'s context, repeated `count` times along the batch (the caller disposes). */
function tiledContext(context: SplitContext, image: number, count: number): SplitContext {
  return new Map(
    [...context].map(
      ([key, t]) => [key, tf.tidy(() => tf.tile(tf.slice(t, image, 1), [count, ...t.shape.slice(1).map(() => 1)]))] as const,
    ),
  );
}

/** Ablation-CAM channel weights `[n, k]` for one layer pass. */
export async function ablationCamWeights(pass: LayerPass): Promise<CamWeights> {
  const { activation, context, scores, targets, split, batchSize, call } = pass;
  const [n, , , channels] = activation.shape;
  const minima = tf.min(activation, [1, 2, 3]);
  const lows = await minima.data();
  minima.dispose();
  const host = call.path === 'cpu' ? ((await activation.data()) as Float32Array) : undefined;
  const classes = scores.shape[1];
  const original = tf.tidy(() =>
    tf.gather(
      tf.reshape(scores, [-1]),
      tf.tensor1d(
        targets.map((t, i) => i * classes + t),
        'int32',
      ),
    ),
  );
  const rows: tf.Tensor1D[] = [];
  const batches = n * Math.ceil(channels / batchSize);
  const contexts = new Map<number, SplitContext>();
  const disposeContexts = () => {
    for (const c of contexts.values()) tf.dispose([...c.values()]);
    contexts.clear();
  };
  try {
    for (let image = 0; image < n; image++) {
      const value = lows[image] === 0 ? 0 : lows[image]! - ABLATION_OFFSET;
      for (let start = 0; start < channels; start += batchSize) {
        await checkpoint(call.signal, 'ablation-cam');
        const count = Math.min(batchSize, channels - start);
        let ctx = contexts.get(count);
        if (!ctx) contexts.set(count, (ctx = tiledContext(context, image, count)));
        const ablated = await ablatedBatch(activation, host, { image, start, count, value });
        try {
          const target = targets[image]!;
          rows.push(tf.tidy(() => tf.reshape(tf.slice(split.tail(ctx, ablated), [0, target], [count, 1]), [count]) as tf.Tensor1D));
        } finally {
          ablated.dispose();
        }
        call.onProgress?.({ done: rows.length, total: batches });
      }
      disposeContexts();
    }
    return {
      weights: tf.tidy(() => {
        const ablated = tf.reshape(tf.concat(rows), [n, channels]);
        const base = tf.expandDims(original, 1);
        return tf.div(tf.sub(base, ablated), base);
      }),
      weighting: 'channel',
    };
  } finally {
    disposeContexts();
    tf.dispose([...rows, original]);
  }
}
