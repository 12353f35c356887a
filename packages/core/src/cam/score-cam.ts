// SPDX-License-Identifier: Apache-2.0
// Score-CAM (Wang et al., CVPRW 2020) as pytorch-grad-cam's score_cam.py: each channel, upsampled
// (align_corners bilinear) and min-max normalised, masks the input; the target class's score on
// each masked input, softmaxed over the channels, weights the channel. The masked batches are
// written by the scorecam-masks kernel straight into a tfjs input buffer (no copy).
import * as tf from '@tensorflow/tfjs';
import { runKernel, scorecamMasks, scorecamMasksRef, scorecamRange, scorecamRangesRef } from '@webxai/shaders';
import { gpuBufferOf, kernelToTensor, tfjsDevice } from '../interop/tfjs-webgpu.js';
import type { CamWeights } from './gradient-weights.js';
import { resolvedTargets, type LayerPass } from './strategy.js';
import { checkpoint } from '../api/abort.js';

/** The target score of each row of `x`; sync, returns `[rows]`. */
function targetScores(forward: (x: tf.Tensor4D) => tf.Tensor2D, x: tf.Tensor4D, target: number): tf.Tensor1D {
  return tf.tidy(() => {
    const scores = forward(x);
    return tf.reshape<tf.Rank.R1>(tf.slice(scores, [0, target], [scores.shape[0], 1]), [scores.shape[0]]);
  });
}

/** Score-CAM channel weights `[n, k]` for one layer pass. */
export async function scoreCamWeights(pass: LayerPass): Promise<CamWeights> {
  const { input, activation, model, batchSize, call } = pass;
  const targets = resolvedTargets(pass);
  const [n, height, width, imageChannels] = input.shape;
  const [, h, w, channels] = activation.shape;
  const shape = { images: n, height: h, width: w, channels, outHeight: height, outWidth: width };
  const forward = model.forward!;
  const gpu = call.path === 'gpu';
  // 1 + channels forward passes follow: bad input values are reported before them.
  await call.inputCheck?.settle();
  let rangesCpu: Float32Array | undefined;
  let imagesCpu: Float32Array | undefined;
  let actCpu: Float32Array | undefined;
  let ranges: tf.Tensor | undefined;
  if (gpu) {
    ranges = await kernelToTensor([n, channels, 2], (output) =>
      runKernel(tfjsDevice(), scorecamRange, { params: shape, act: gpuBufferOf(activation), ranges: output }),
    );
  } else {
    actCpu = (await activation.data()) as Float32Array;
    imagesCpu = (await input.data()) as Float32Array;
    rangesCpu = scorecamRangesRef(actCpu, shape);
  }
  const rows: tf.Tensor1D[] = [];
  const batches = n * Math.ceil(channels / batchSize);
  try {
    for (let image = 0; image < n; image++) {
      for (let start = 0; start < channels; start += batchSize) {
        await checkpoint(call.signal, 'score-cam');
        const count = Math.min(batchSize, channels - start);
        let masked: tf.Tensor4D;
        if (gpu) {
          masked = await kernelToTensor([count, height, width, imageChannels], (output) =>
            runKernel(tfjsDevice(), scorecamMasks, {
              params: { ...shape, imageChannels, image, channelStart: start, count },
              images: gpuBufferOf(input),
              act: gpuBufferOf(activation),
              ranges: gpuBufferOf(ranges!),
              output,
            }),
          );
        } else {
          const values = scorecamMasksRef(imagesCpu!, actCpu!, rangesCpu!, { ...shape, imageChannels }, image, start, count);
          masked = tf.tensor4d(values, [count, height, width, imageChannels]);
        }
        try {
          rows.push(targetScores(forward, masked, targets[image]!));
        } finally {
          masked.dispose();
        }
        call.onProgress?.({ done: rows.length, total: batches });
      }
    }
    return { weights: tf.tidy(() => tf.softmax(tf.reshape(tf.concat(rows), [n, channels]))), weighting: 'channel' };
  } finally {
    tf.dispose([...rows, ranges]);
  }
}
