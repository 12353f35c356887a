// SPDX-License-Identifier: Apache-2.0
import * as tf from '@tensorflow/tfjs';
import type { Progress } from '../../api/types.js';

/**
 * Reports anytime attributions: hands `onProgress` the current map as a tensor (disposed right
 * after the callback) and a convergence estimate, the relative L2 change since the previous report
 * (||a_k - a_{k-1}|| / ||a_k||; 1 at the first report, toward 0 as the estimate settles).
 */
export class ProgressReporter {
  private previous: Float32Array | undefined;
  constructor(
    private readonly onProgress: ((progress: Progress) => void) | undefined,
    private readonly shape: readonly number[],
  ) {}

  /** True when someone listens (compute partial maps only then). */
  get active(): boolean {
    return this.onProgress !== undefined;
  }

  report(done: number, total: number, partial: Float32Array): void {
    if (!this.onProgress) return;
    let change = 0;
    let norm = 0;
    for (let i = 0; i < partial.length; i++) {
      const d = partial[i]! - (this.previous?.[i] ?? 0);
      change += d * d;
      norm += partial[i]! * partial[i]!;
    }
    const convergence = this.previous === undefined ? 1 : norm > 0 ? Math.sqrt(change / norm) : 0;
    this.previous = partial.slice();
    const tensor = tf.tensor(partial, [...this.shape]);
    try {
      this.onProgress({ done, total, partial: tensor, convergence });
    } finally {
      tensor.dispose();
    }
  }
}
