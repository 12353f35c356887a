// SPDX-License-Identifier: Apache-2.0
// A visualizeFeature step's ascent batch (the adjoint, the FFT VJP and Adam), recorded but not yet
// submitted: the next step records its image kernels into the same batch, so a step costs one
// queue.submit (and one command encoder, compute pass and uniform buffer) fewer. Nothing else
// reaches the queue in between on that path: the next step's first GPU work is its own image
// kernels, and tfjs has nothing recorded (gpuBufferOf flushed it when the batch took the model
// pass's gradient). Until the batch is submitted, the tensors it reads stay held here, so that
// tfjs's pool cannot hand their buffers to anything else first.
import * as tf from '@tensorflow/tfjs';
import type { KernelBatch } from '@webxai/shaders';

export class PendingAscent {
  #held: tf.Tensor[];

  /** `held`: the tensors `batch` reads (and owns from now on: released after the submit). */
  constructor(
    readonly batch: KernelBatch,
    held: readonly tf.Tensor[],
  ) {
    this.#held = [...held];
  }

  /** Submits the batch (with whatever was recorded after the ascent), then releases the held tensors. */
  async submit(): Promise<void> {
    try {
      await this.batch.submit();
    } finally {
      this.release();
    }
  }

  /** Releases the held tensors without submitting (a failed or cancelled run); again, nothing. */
  release(): void {
    tf.dispose(this.#held);
    this.#held = [];
  }
}
