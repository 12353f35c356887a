// SPDX-License-Identifier: Apache-2.0
import type { ExecutionPath } from '../api/types.js';
import type { SlicPlacement } from './segment.js';

/**
 * Largest image (pixels) whose SLIC labels 'auto' computes on the host: 32x32 (MNIST's 28x28 and
 * CIFAR's 32x32 inputs). SLIC's GPU run has a fixed cost that does not shrink with the image
 * (features, init, 10 assign + update rounds: 22 dispatches, then the labels readback), while the
 * CPU reference grows with the pixels (~0.75 us per pixel at 10 rounds). Session 32, 10 / 50
 * segments, medians of 15 runs with the image's host values given (as anchors and KernelSHAP have
 * them), load 1-6 (probes: notes/s32/anchorslic-probes/slic-crossover.mjs, slic-browser):
 *
 *   pixels        Node (Dawn + lavapipe)      Chromium (SwiftShader)
 *                 GPU ms      host ms         GPU ms      host ms
 *   28x28         2.5-3.3     0.7             6.1-7.3     0.7-1.0
 *   40x40         2.6-2.9     1.3-2.0
 *   48x48         2.9-3.9     1.7-2.3         8.1-12.0    1.8-2.3
 *   56x56         2.5-4.1     2.3-2.9
 *   64x64         2.5-3.7     3.1-3.8         15-18       7-14
 *   96x96         3.9-4.8     6.9-9.3         31-34       13-17
 *   224x224       7.3-8.7     36-44           80-145      35-41
 *
 * The crossover is ~56x56 on lavapipe and above 224x224 on SwiftShader (its dispatches are slow).
 * The threshold sits well below lavapipe's because a real GPU's fixed cost is lower than either
 * software adapter's: at 32x32 the host run (~1 ms) costs about one readback round trip, so no
 * adapter can lose much. It is low for a second reason: the labels are the CPU path's, which can
 * differ from the GPU kernels' at rare pixels (the GPU computes the Lab features in f32, within one
 * quantization unit of the f64 reference; measured on 20 MNIST digits at 10 / 50 / 100 segments and
 * 160 segmentations of smooth images at 28-32 px: none; at 48x48 RGB: 3 of 40 on lavapipe, 1 of 40
 * on SwiftShader). Larger images keep the GPU; `placement: 'host'` moves them on purpose.
 */
export const SLIC_HOST_MAX_PIXELS = 32 * 32;

/** Where SLIC runs: the CPU path always on the CPU; the GPU path as `placement` says. */
export function slicRunsOn(placement: SlicPlacement | undefined, pixels: number, path: ExecutionPath): ExecutionPath {
  if (path === 'cpu' || placement === 'host') return 'cpu';
  if (placement === 'gpu') return 'gpu';
  return pixels <= SLIC_HOST_MAX_PIXELS ? 'cpu' : 'gpu';
}
