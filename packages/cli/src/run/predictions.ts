// SPDX-License-Identifier: Apache-2.0
import { UsageError } from '../errors.js';
import type { ClassScore } from '../output/results.js';

/** The outputs as probabilities: as they are when they already are (softmax head), else softmaxed. */
export function toProbabilities(scores: Float32Array): Float32Array {
  const sum = scores.reduce((a, b) => a + b, 0);
  if (scores.every((v) => v >= 0 && v <= 1) && Math.abs(sum - 1) < 1e-3) return Float32Array.from(scores);
  const max = Math.max(...scores);
  const exp = scores.map((v) => Math.exp(v - max));
  const total = exp.reduce((a, b) => a + b, 0);
  return exp.map((v) => v / total);
}

/** The `k` most probable classes, highest first (ties: lower index first). */
export function topClasses(probabilities: Float32Array, labels: readonly string[], k: number): ClassScore[] {
  return Array.from(probabilities, (probability, index) => ({ index, label: labels[index] ?? `class ${index}`, probability }))
    .sort((a, b) => b.probability - a.probability || a.index - b.index)
    .slice(0, k);
}

/** `--target`: 'predicted' (argmax), a class index, or a label. */
export function resolveTarget(target: string, probabilities: Float32Array, labels: readonly string[]): number {
  if (target === 'predicted') return topClasses(probabilities, labels, 1)[0]!.index;
  if (/^\d+$/.test(target)) {
    const index = Number(target);
    if (index >= probabilities.length)
      throw new UsageError(`--target ${target}: the model has ${probabilities.length} classes (0..${probabilities.length - 1})`);
    return index;
  }
  const index = labels.indexOf(target);
  if (index < 0) throw new UsageError(`--target '${target}' is not a label; labels: ${labels.join(', ')}`);
  return index;
}
