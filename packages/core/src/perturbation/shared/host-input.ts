// SPDX-License-Identifier: Apache-2.0
// A black box's explanation works on host memory: its input is read back once, and the original
// scores are computed from those values through the same batch loop as the perturbed images.
import type * as tf from '@tensorflow/tfjs';
import type { InputCheck } from '../../api/input-check.js';
import { resolveTargetsOnHost, type Target } from '../../api/targets.js';
import { nhwcToNchw } from '../../model/onnx/from-onnx.js';
import { evaluateBatches, hostBatches, originalScores, type PerturbationEnv } from './evaluate.js';
import type { BatchLayout } from './perturb-cpu.js';

/**
 * The input's NHWC host values when the perturbed batches are built on the host (a black box, see
 * hostBatches): read once for the original scores, the segmentation and the batches, and checked
 * for NaN / Inf there (`check`, the explainer's deferred input check: no check kernel and no
 * readback of its own). Undefined on the other paths, which keep the images on the GPU: they read
 * the check alone first, as an undeferred check, before anything runs on the input.
 * @throws {InvalidInputError} the input has a NaN or Inf value.
 */
export async function hostInputValues(
  env: PerturbationEnv,
  input: tf.Tensor4D,
  check: InputCheck | undefined,
): Promise<Float32Array | undefined> {
  if (!hostBatches(env)) {
    await check?.settle();
    return undefined;
  }
  return checkedInputValues(input, check);
}

/**
 * The input's NHWC values, read once and checked for NaN / Inf on the host (`check`, the deferred
 * input check: no check kernel and no readback of its own).
 * @throws {InvalidInputError} the input has a NaN or Inf value.
 */
export async function checkedInputValues(input: tf.Tensor4D, check: InputCheck | undefined): Promise<Float32Array> {
  const values = (await input.data()) as Float32Array;
  check?.checkOnHost(values);
  return values;
}

/**
 * The model's scores for the unperturbed images ([n, classes]) and the resolved targets, as
 * originalScores. With the input's host `values` (from {@link hostInputValues}) the images go
 * through evaluateBatches like perturbed ones: into the pooled host batch (planar for a planar
 * black box), with no readback, no transpose into fresh memory and no tensor for the scores.
 */
export async function originalScoresOf(
  env: PerturbationEnv,
  input: tf.Tensor4D,
  values: Float32Array | undefined,
  target: Target | undefined,
): Promise<{ scores: Float32Array; classes: number; targets: number[] }> {
  if (!values) return originalScores(env.model, input, target, env.signal);
  const [n, height, width, channels] = input.shape;
  const perImage = height * width * channels;
  let scores = new Float32Array(0);
  let classes = 0;
  const copyImages = (out: Float32Array, first: number, count: number, layout: BatchLayout) => {
    const images = values.subarray(first * perImage, (first + count) * perImage);
    if (layout === 'nchw') nhwcToNchw(images, count, height * width, channels, out);
    else out.set(images);
  };
  await evaluateBatches(env, n, { on: 'host', write: copyImages }, (first, _count, batch, k) => {
    if (first === 0) [scores, classes] = [new Float32Array(n * k), k];
    scores.set(batch, first * k);
  });
  return { scores, classes, targets: resolveTargetsOnHost(target, scores, n, classes) };
}
