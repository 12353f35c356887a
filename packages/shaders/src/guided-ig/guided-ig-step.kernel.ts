// SPDX-License-Identifier: Apache-2.0
import source from './guided-ig-step.wgsl';
import { defineKernel } from '../runtime/kernel.js';
import { kernelVariant } from '../runtime/kernel-variant.js';
import { guidedIgKeysSnippet } from '../snippets/index.js';
import { GUIDED_IG_KEY_BITS } from './guided-ig-keys.ref.js';

/**
 * GPU kernel: one whole step of Guided IG per row (image) of [rows, rowLength], one workgroup per
 * row and no readback: PAIR's selection loop (catch-up to x_min, the L1-target test, the selection
 * by quantised |gradient| keys of guided-ig-keys.wgsl, gamma, the move) runs until the row's
 * L1 distance to `xIn` is within `tolerance` of its total of `targetFraction` of the total, or
 * `maxIterations` rounds; then `attributionOut = attribution + (x - xStart) * gradient`. Writes the
 * step's end point to `x`. See guided-ig-step.wgsl; CPU reference: guidedIgStepRef (the same f32
 * operations in the same order).
 */
export const guidedIgStep = defineKernel({
  name: 'guided-ig-step',
  source,
  includes: [guidedIgKeysSnippet],
  // A workgroup is one image's whole loop, on a software GPU one core, so more invocations add no
  // parallelism there. Measured on gradient-small guided-ig at load ~2 (session 21): 256 -> 1.28-1.30x,
  // 64 -> 1.11-1.16x, 32 -> 1.22-1.26x of the bare passes; MobileNetV2-224 about the same at 64 and
  // 256 (1.10x, 1.12x). A real GPU would likely prefer more invocations for 224x224x3 rows (not measured).
  workgroupSize: 64,
  constants: { KEY_BITS: GUIDED_IG_KEY_BITS, SHORT_ROW: 0 },
  bindings: {
    params: {
      uniform: {
        rows: 'u32',
        rowLength: 'u32',
        rank: 'u32',
        maxIterations: 'u32',
        alphaMin: 'f32',
        alphaMax: 'f32',
        targetFraction: 'f32',
        tolerance: 'f32',
      },
    },
    gradient: { storage: 'read' },
    xIn: { storage: 'read' },
    xBase: { storage: 'read' },
    diff: { storage: 'read' },
    xStart: { storage: 'read' },
    attribution: { storage: 'read' },
    x: { storage: 'read_write' },
    attributionOut: { storage: 'read_write' },
  },
  // Session 25: branch-free passes and counts derived across an iteration instead of recounted, the
  // same bits as before (64 kernels of the gradient-small bench on lavapipe: ~30 -> ~22 ms).
  // Session 29: the keys kept in attributionOut instead of 12 KiB of workgroup memory, the reduction
  // walked by invocation 0 with one barrier fewer, the same bits (those 64 kernels: SwiftShader GPU
  // time ~145 -> ~75 ms, lavapipe process CPU ~0.9x).
  // Every operation is one correctly rounded f32 operation (no multiply-add to contract on
  // lavapipe), the sums run in the reference's fixed order and the keys and counts are exact: the
  // same bits (measured on lavapipe; a GPU that contracts x + d * a or rounds division differently
  // moves a boundary feature, see the parity test).
  tolerance: { abs: 0, rel: 0 },
  workgroups: ({ params }) => params.rows,
});

/** guided-ig-step.wgsl's ROW_SLOTS: the features per invocation its SHORT_ROW variant holds in private arrays. */
const ROW_SLOTS = 64;

/** The longest row guidedIgStepFor gives the private-array variant (4,096 features, e.g. 32x32x3 = 3,072). */
export const GUIDED_IG_SHORT_ROW = ROW_SLOTS * guidedIgStep.workgroupSize;

/**
 * guided-ig-step for rows of `rowLength` features: on lavapipe / llvmpipe (`llvmpipe`) and rows of at
 * most GUIDED_IG_SHORT_ROW, the variant that keeps each feature's state in private arrays (SHORT_ROW),
 * else the one that reads it from storage in every pass. The same bits either way. Session 35, the
 * gradient-small bench's 64 steps of 3,072 features: on lavapipe 0.74-0.77x the kernels' CPU
 * (~7 ms of ~27); on SwiftShader the private arrays made the kernel ~1.5x slower (its GPU ms), and a
 * real GPU would hold 6 x 64 words per invocation in registers or spill them (not measured).
 */
export function guidedIgStepFor(llvmpipe: boolean, rowLength: number): typeof guidedIgStep {
  return llvmpipe && rowLength <= GUIDED_IG_SHORT_ROW ? kernelVariant(guidedIgStep, { SHORT_ROW: 1 }) : guidedIgStep;
}
