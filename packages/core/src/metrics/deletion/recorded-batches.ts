// SPDX-License-Identifier: Apache-2.0
// Why this exists: deletion / insertion on the GPU path read each batch's scores back before the
// next batch was made (evaluateBatches: one readback per batch, and one more for the unperturbed
// images' scores first). On Chromium's SwiftShader each readback is a GPU-process round trip
// (~2-3 ms) with the GPU idle behind it; a 28x28 curve of 100 steps is only 2 batches of forward
// work, so those waits were most of its non-model time. Here every batch of one image (ranked
// masks, perturbed images, forward pass) is recorded first and all scores come back in one
// readback, the unperturbed images' scores in front of the first image's. The model, the batches
// and their order are the same, so the scores are the same bits.
import * as tf from '@tensorflow/tfjs';
import { gpuBatches, recordGpuBatches, type BatchWriter } from '../../perturbation/shared/evaluate.js';
import { GpuScope } from '../../perturbation/shared/gpu-scope.js';
import { GpuMaskBatches } from '../../perturbation/shared/mask-methods.js';
import { tfjsDevice } from '../../interop/tfjs-webgpu.js';
import { metricEnv, type MaskSource } from '../shared/masked-batches.js';
import type { MetricInputs } from '../types.js';
import { checkFiniteScores } from '../../model/non-finite-scores.js';

/** GpuMaskBatches.writer's kind of writer. */
type GpuBatchWriter = Extract<BatchWriter, { on: 'gpu' }>;

/** Whether a metric's batches can be recorded and read once: a tfjs model (it has a forward pass) on the GPU path. */
export function recordsBatches(method: string, inputs: MetricInputs): boolean {
  return inputs.model.forward !== undefined && gpuBatches(metricEnv(method, inputs));
}

/** What {@link recordedMaskedScores} reads: the `front` scores' values (when given) and the batches' scores. */
export interface RecordedScores {
  readonly front: Float32Array | undefined;
  readonly scores: Float32Array;
  readonly classes: number;
}

/**
 * The scores of `total` masked copies of `image` (fill where the mask is 0), the batches
 * evaluateMaskedImages makes (the env's batch size, masks from `source.gpu`, perturb-batch into the
 * model's input), all recorded before ONE readback that also brings `front` (not disposed). The
 * front's values go to `checkFront` before the batches' scores are checked, in the order of the
 * reads this replaces (the unperturbed scores were read and checked first).
 * @throws {ModelError} a score is NaN or Inf (as predictValues).
 */
export async function recordedMaskedScores(
  method: string,
  inputs: MetricInputs,
  image: tf.Tensor4D,
  fill: Float32Array<ArrayBuffer>,
  total: number,
  source: MaskSource,
  front: tf.Tensor2D | undefined,
  checkFront: (values: Float32Array) => void,
): Promise<RecordedScores> {
  const { model, batchSize } = inputs;
  const scope = new GpuScope(tfjsDevice());
  const kept: tf.Tensor2D[] = [];
  try {
    const batches = new GpuMaskBatches(scope, image, scope.upload(fill, `${method}.fill`), Math.min(batchSize, total), method);
    const writer = batches.writer((first, count) => source.gpu(scope, batches.masks, first, count)) as GpuBatchWriter;
    kept.push(...(await recordGpuBatches(metricEnv(method, inputs), total, batchSize, writer, model.forward!)));
    const classes = kept[0]!.shape[1];
    const all = tf.concat2d(front ? [front, ...kept] : kept, 0);
    const values = (await all.data().finally(() => all.dispose())) as Float32Array;
    const frontCount = front ? front.size : 0;
    const frontValues = front ? values.subarray(0, frontCount) : undefined;
    if (frontValues) {
      checkFiniteScores(frontValues, inputs.model.kind);
      checkFront(frontValues);
    }
    const scores = values.subarray(frontCount);
    checkFiniteScores(scores, inputs.model.kind);
    return { front: frontValues, scores, classes };
  } finally {
    tf.dispose(kept);
    scope.release();
  }
}
