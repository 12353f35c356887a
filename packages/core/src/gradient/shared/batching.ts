// SPDX-License-Identifier: Apache-2.0
import { integerOption, numberOption } from '../../api/options.js';
import { deviceBatchLimit, fitBatchToDevice } from '../../api/batch-limit.js';

/** Default memory budget for one batch of model evaluations (points, activations, gradients). */
export const DEFAULT_MEMORY_BUDGET_MB = 2048;

/**
 * Memory one image costs in a forward + backward pass, as a multiple of its input size. The model
 * is opaque, so this is an estimate from a large case: MobileNetV2 at 224 x 224 peaks at ~330 MB of
 * tensors per image in tfjs 4.22's backward pass (~545 input sizes; bench gradient-mobilenet,
 * 16 images: 5.2 GB). Small CNNs need far less; pass `batchSize` (or a larger `memoryBudgetMB`)
 * to override.
 */
export const ACTIVATION_FACTOR = 512;

/** Batching options every path method takes. */
export interface BatchingOptions {
  /** Model evaluations per pass (path points or samples). Default: from `memoryBudgetMB` and device limits. */
  readonly batchSize?: number;
  /** Memory budget for one pass, in MB, when `batchSize` is omitted (default 2048). */
  readonly memoryBudgetMB?: number;
}

/** Checks the batching options at explainer creation (InvalidOptionError naming the option). */
export function checkBatchingOptions(method: string, options: BatchingOptions): void {
  if (options.batchSize !== undefined) integerOption(method, 'batchSize', options.batchSize, 1);
  if (options.memoryBudgetMB !== undefined) numberOption(method, 'memoryBudgetMB', options.memoryBudgetMB, DEFAULT_MEMORY_BUDGET_MB, 1);
}

/**
 * Evaluations per pass for `total` evaluations of images of `elementCount` values: `batchSize`
 * when given, else as many as fit `memoryBudgetMB` (at {@link ACTIVATION_FACTOR} input-sizes each)
 * and the device's largest storage binding; never more than `total`, never less than 1.
 */
export function chooseBatchSize(elementCount: number, total: number, options: BatchingOptions): number {
  if (options.batchSize !== undefined) {
    const asked = Math.min(total, integerOption('chooseBatchSize', 'batchSize', options.batchSize, 1));
    return fitBatchToDevice('chooseBatchSize', asked, elementCount * 4, true);
  }
  const budget = numberOption('chooseBatchSize', 'memoryBudgetMB', options.memoryBudgetMB, DEFAULT_MEMORY_BUDGET_MB, 1) * 2 ** 20;
  const bytesPerImage = elementCount * 4;
  const fit = Math.floor(budget / (bytesPerImage * ACTIVATION_FACTOR));
  return Math.max(1, Math.min(total, fit, deviceBatchLimit(bytesPerImage)));
}
