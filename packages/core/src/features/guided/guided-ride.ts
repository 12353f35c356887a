// SPDX-License-Identifier: Apache-2.0
// Guided backprop's readback as a rider in Grad-CAM's map peaks' readback (guided Grad-CAM): what
// gradientForTarget reads and checks after its pass (the scores' finiteness, the chosen classes),
// and the product with Grad-CAM's map, recorded before that one readback and kept as its host copy.
import * as tf from '@tensorflow/tfjs';
import type { PeakRide } from '../../cam/peak-readback.js';
import type { gradientAndScores } from '../../gradient/target-gradients.js';
import { keepHostCopy, takesHostCopy } from '../../interop/tfjs-webgpu.js';
import { nonFiniteScoresError } from '../../model/non-finite-scores.js';

/** Guided Grad-CAM's attribution: guided backprop's gradient `[n, h, w, c]` times Grad-CAM's map `[n, h, w]`. */
export function guidedProduct(gradient: tf.Tensor4D, camMap: tf.Tensor3D): tf.Tensor4D {
  return tf.tidy(() => tf.mul(gradient, tf.expandDims(camMap, 3)));
}

/**
 * Grad-CAM's pass chose other classes than guided backprop's (its argmax rounded differently in a
 * tie): Grad-CAM must run again for guided backprop's classes. Internal: never reaches the caller.
 */
export class OtherTarget extends Error {
  constructor() {
    super("guided Grad-CAM: Grad-CAM's pass chose other classes than guided backprop's");
  }
}

/** A {@link PeakRide} that also hands back guided backprop's classes and the product it recorded. */
export interface GuidedRide extends PeakRide {
  /** Guided backprop's classes (given, or read back); only after the readback. */
  target(): number[];
  /** The product guided backprop x Grad-CAM map; the caller owns it from now on. */
  takeProduct(): tf.Tensor4D;
  /** Disposes the product unless taken. */
  dispose(): void;
}

/**
 * The ride of guided backprop's pass (`pass`, not disposed here; its classes `given`, or chosen in the
 * pass): checks as gradientForTarget does after its own readback, in its order (the input's check
 * comes first in the shared readback), then that Grad-CAM's predicted classes are the same.
 * @throws {ModelError} guided backprop's scores are NaN or Inf.
 * @throws {OtherTarget} Grad-CAM's pass chose other classes.
 */
export function guidedRide(pass: ReturnType<typeof gradientAndScores>, given: readonly number[] | undefined, kind: string): GuidedRide {
  let product: tf.Tensor4D | undefined;
  let classes: number[] | undefined = given && [...given];
  const rows = pass.gradient.shape[0];
  return {
    scores: pass.scores,
    parts(maps) {
      product = guidedProduct(pass.gradient, maps.attribution);
      return [pass.chosen, takesHostCopy(product.size) ? product : undefined];
    },
    check(values, scoresFinite, camClasses) {
      if (!scoresFinite) throw nonFiniteScoresError(kind);
      const chosenCount = pass.chosen ? rows : 0;
      classes ??= Array.from(values.subarray(0, chosenCount));
      if (camClasses && camClasses.some((c, row) => c !== classes![row])) throw new OtherTarget();
      if (product && values.length > chosenCount) keepHostCopy(product, values.subarray(chosenCount));
    },
    target() {
      if (!classes) throw new Error('guided Grad-CAM: the classes are read with the peaks');
      return classes;
    },
    takeProduct() {
      const taken = product!;
      product = undefined;
      return taken;
    },
    dispose() {
      product?.dispose();
      product = undefined;
    },
  };
}
