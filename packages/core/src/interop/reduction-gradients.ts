// SPDX-License-Identifier: Apache-2.0
// Why this exists: tfjs 4.22's gradients of Sum and Mean broadcast dy by multiplying it with
// `ones(x.shape)`, and tf.ones builds that tensor on the host (a loop over every element) and the
// webgpu backend then uploads it: for the channel-mean objective of visualizeFeature,
// [4, 128, 128, 8] -> 2 MB built and copied to the GPU per step, 7-26 ms of main-thread time each
// on Dawn + lavapipe (session 13), on both a software and a real GPU. On webgpu these gradients
// broadcast dy with tf.broadcastTo instead (tfjs-webgpu's Tile program, on the GPU once
// WEBGPU_CPU_FORWARD is off, as configureTfjs sets it): the same values bit for bit, since
// dy * 1 = dy and (dy * 1) / n = dy / n in f32. Other backends, other dtypes and ranks Tile's
// program does not take keep tfjs's own gradient.
import * as tf from '@tensorflow/tfjs';
import { replaceGradient, restoreGradient } from './gradient-replacement.js';

/**
 * tfjs env flag: true broadcasts the gradients of Sum and Mean on the webgpu backend with
 * tf.broadcastTo instead of a host-built ones tensor. Default true on every webgpu device; set it to
 * false after configureTfjs (or `?tfjsflags=WEBXAI_WEBGPU_BROADCAST_REDUCTION_GRADIENTS:false` in a
 * page URL) to keep tfjs's gradients.
 */
export const BROADCAST_REDUCTION_GRADIENTS_FLAG = 'WEBXAI_WEBGPU_BROADCAST_REDUCTION_GRADIENTS';

/** The reductions whose gradients are replaced. */
const REDUCTIONS = ['Sum', 'Mean'] as const;
type Reduction = (typeof REDUCTIONS)[number];

/** Ranks tfjs-webgpu's Tile program takes (it tiles rank 5 and up on the CPU). */
const MAX_TILE_RANK = 4;

/** x's shape with the reduced axes set to 1: where dy broadcasts from. */
function expandedShape(x: tf.Tensor, axis: number | number[]): number[] {
  const shape = x.shape.slice();
  for (const a of tf.util.parseAxisParam(axis, x.shape)) shape[a] = 1;
  return shape;
}

/** True when this gradient should broadcast on the GPU rather than run tfjs's. */
function broadcastsHere(dy: tf.Tensor, x: tf.Tensor): boolean {
  return (
    tf.getBackend() === 'webgpu' &&
    tf.env().getBool(BROADCAST_REDUCTION_GRADIENTS_FLAG) &&
    dy.dtype === 'float32' &&
    x.dtype === 'float32' &&
    x.rank <= MAX_TILE_RANK
  );
}

/** d sum(x, axis) / dx and d mean(x, axis) / dx as broadcasts of dy (divided by the count for Mean). */
function broadcastGradient(reduction: Reduction, original: tf.GradConfig): tf.GradConfig {
  return {
    ...original,
    gradFunc: (dy, saved, attrs) => {
      const x = saved[0]!;
      if (!broadcastsHere(dy as tf.Tensor, x)) return original.gradFunc(dy, saved, attrs);
      const axis = (attrs as unknown as { axis: number | number[] }).axis;
      const shape = expandedShape(x, axis);
      return {
        x: () => {
          const expanded = tf.reshape(dy as tf.Tensor, shape);
          if (reduction === 'Sum') return tf.broadcastTo(expanded, x.shape);
          // The same division tfjs does per element, done before the broadcast instead of after it.
          const count = x.size / tf.util.sizeFromShape(shape);
          return tf.broadcastTo(tf.div(expanded, count), x.shape);
        },
      };
    },
  };
}

/**
 * Registers {@link BROADCAST_REDUCTION_GRADIENTS_FLAG} (default true) and replaces tfjs's gradients
 * of Sum and Mean with ones that broadcast dy on the webgpu backend; elsewhere they call tfjs's.
 * Idempotent. Global for the page or process, like every tfjs gradient.
 */
export function installReductionGradients(): void {
  tf.env().registerFlag(BROADCAST_REDUCTION_GRADIENTS_FLAG, () => true);
  for (const reduction of REDUCTIONS) replaceGradient(reduction, (original) => broadcastGradient(reduction, original));
}

/** Puts tfjs's own gradients of Sum and Mean back (the flag stays registered). Idempotent. */
export function uninstallReductionGradients(): void {
  for (const reduction of REDUCTIONS) restoreGradient(reduction);
}
