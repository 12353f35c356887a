// SPDX-License-Identifier: Apache-2.0
import * as tf from '@tensorflow/tfjs';
import { InvalidInputError, ShapeMismatchError } from '@webxai/shaders';
import { rejectOption, rejectOptionAs } from '../../api/options.js';

/**
 * The IG baseline: `'zeros'` (Captum's default), a constant, a tensor ([h, w, c] or [1, h, w, c]
 * for every image, [n, h, w, c] one per image), `'blur'` (the image blurred with a Gaussian of
 * `baselineSigma`, as the end of Blur IG's path) or `'uniform-noise'` (uniform in each image's
 * [min, max], seeded).
 */
export type BaselineOption = 'zeros' | number | tf.Tensor | 'blur' | 'uniform-noise';

/** Baselines as rows of one tensor, and which row each image uses. */
export interface ResolvedBaselines {
  /** [rows, h, w, c]; owned by the caller (dispose). */
  readonly tensor: tf.Tensor4D;
  /** Row per image. */
  readonly rowOf: (image: number) => number;
}

/** Checks the form of a baseline option at explainer creation. */
export function checkBaselineOption(method: string, baseline: unknown): void {
  if (baseline === undefined || baseline === 'zeros' || baseline === 'blur' || baseline === 'uniform-noise') return;
  if (typeof baseline === 'number') {
    if (!Number.isFinite(baseline)) rejectOption(method, 'baseline', 'a finite number', baseline);
    return;
  }
  if (baseline instanceof tf.Tensor) {
    if (baseline.isDisposed) rejectOptionAs(method, 'baseline', 'a live tf.Tensor', 'a disposed tensor');
    return;
  }
  rejectOption(method, 'baseline', "'zeros', a number, a tf.Tensor, 'blur' or 'uniform-noise'", baseline);
}

/** Hooks for the baselines that need kernels (blur, seeded noise); given by the caller. */
export interface BaselineMakers {
  readonly blur: (input: tf.Tensor4D) => Promise<tf.Tensor4D>;
  readonly uniformNoise: (input: tf.Tensor4D) => Promise<tf.Tensor4D>;
}

/** Resolves `baseline` for `input` [n, h, w, c]. @throws ShapeMismatchError / InvalidInputError for a bad tensor. */
export async function resolveBaselines(
  baseline: BaselineOption | undefined,
  input: tf.Tensor4D,
  makers: BaselineMakers,
): Promise<ResolvedBaselines> {
  const [n, h, w, c] = input.shape;
  if (baseline === undefined || baseline === 'zeros') return { tensor: tf.zeros([1, h, w, c]), rowOf: () => 0 };
  if (typeof baseline === 'number') return { tensor: tf.fill([1, h, w, c], baseline), rowOf: () => 0 };
  if (baseline === 'blur') return { tensor: await makers.blur(input), rowOf: (i) => i };
  if (baseline === 'uniform-noise') return { tensor: await makers.uniformNoise(input), rowOf: (i) => i };
  if (baseline.isDisposed) rejectOptionAs('integrated-gradients', 'baseline', 'a live tf.Tensor', 'a disposed tensor');
  const shape = baseline.shape;
  const image = shape.slice(-3);
  const rows = baseline.rank === 4 ? shape[0] : 1;
  if ((baseline.rank !== 3 && baseline.rank !== 4) || image[0] !== h || image[1] !== w || image[2] !== c || (rows !== 1 && rows !== n)) {
    throw new ShapeMismatchError(
      `baseline tensor must be [${h}, ${w}, ${c}], [1, ${h}, ${w}, ${c}] or [${n}, ${h}, ${w}, ${c}], got [${shape}]`,
    );
  }
  if (baseline.dtype !== 'float32') throw new ShapeMismatchError(`baseline tensor must be float32, got ${baseline.dtype}`);
  const finite = tf.tidy(() => tf.all(tf.isFinite(baseline)));
  const [ok] = await finite.data();
  finite.dispose();
  if (!ok) throw new InvalidInputError('baseline tensor contains NaN or Inf values');
  const tensor = tf.tidy(() => tf.reshape(baseline, [rows, h, w, c]).clone() as tf.Tensor4D);
  return { tensor, rowOf: rows === 1 ? () => 0 : (i) => i };
}
