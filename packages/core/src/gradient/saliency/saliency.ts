// SPDX-License-Identifier: Apache-2.0
import * as tf from '@tensorflow/tfjs';
import { booleanOption } from '../../api/options.js';
import type { ExplainResultBase, MethodDefinition } from '../../api/types.js';
import { gradientForTarget } from '../target-gradients.js';
import { throwIfAborted } from '@webxai/shaders';
import type { OptionNames } from '../../api/option-names.js';

/** Options of `'saliency'` (Captum `Saliency`). */
export interface SaliencyOptions {
  /** Absolute value of the gradient (Captum's `abs`, default true); false gives the signed gradient. */
  readonly abs?: boolean;
}

/** Option names of saliency (checked against SaliencyOptions by the compiler; other names are rejected). */
export const SALIENCY_OPTION_NAMES: OptionNames<SaliencyOptions> = { abs: true };

/** Options of `'gradient-x-input'` (Captum `InputXGradient`; none besides the common ones). */
export type GradientXInputOptions = Record<never, never>;

/** Option names of gradient-x-input (checked against GradientXInputOptions by the compiler; other names are rejected). */
export const GRADIENT_X_INPUT_OPTION_NAMES: OptionNames<GradientXInputOptions> = {};

/** Result of `'saliency'` and `'gradient-x-input'`. */
export interface GradientResult extends ExplainResultBase {
  /** [n, h, w, c]; caller disposes. */
  readonly attribution: tf.Tensor4D;
}

declare module '../../api/types.js' {
  interface MethodRegistry {
    saliency: { options: SaliencyOptions; result: GradientResult };
    'gradient-x-input': { options: GradientXInputOptions; result: GradientResult };
  }
}

/**
 * `'saliency'` (Simonyan et al. 2014; Captum `Saliency`): |d score[target] / d input|, or the
 * signed gradient with `abs: false`. One forward + backward pass for the whole batch (the predicted
 * class is taken from that same pass), on tfjs's backend.
 *
 * @example
 * const r = await explain(model, images, { method: 'saliency' }); // r.attribution: [n, h, w, c]
 */
export const saliency: MethodDefinition<'saliency'> = {
  name: 'saliency',
  requires: 'gradients',
  defersInputCheck: true, // read with the chosen classes
  optionNames: SALIENCY_OPTION_NAMES,
  create(model, options) {
    const abs = booleanOption('saliency', 'abs', options.abs, true);
    return {
      async explain(input, call) {
        throwIfAborted(call.signal, 'saliency');
        // One forward pass: the target comes from the gradient pass's own scores.
        // abs runs before the check's readback (see gradientForTarget's `finish`).
        const finish = abs ? (g: tf.Tensor4D) => tf.abs(g) : undefined;
        const { gradient: attribution, target } = await gradientForTarget(
          model,
          input,
          call.target,
          call.inputCheck,
          finish,
          call.attributionOnly,
        );
        call.markDrained?.(); // its readback came after the attribution's last op
        call.onProgress?.({ done: input.shape[0], total: input.shape[0] });
        return { attribution, target };
      },
      dispose() {},
    };
  },
};

/**
 * `'gradient-x-input'` (Shrikumar et al. 2016; Captum `InputXGradient`): input * d score[target] / d input.
 *
 * @example
 * const r = await explain(model, image, { method: 'gradient-x-input', target: 3 });
 */
export const gradientXInput: MethodDefinition<'gradient-x-input'> = {
  name: 'gradient-x-input',
  requires: 'gradients',
  defersInputCheck: true, // read with the chosen classes
  optionNames: GRADIENT_X_INPUT_OPTION_NAMES,
  create(model) {
    return {
      async explain(input, call) {
        throwIfAborted(call.signal, 'gradient-x-input');
        const timesInput = (g: tf.Tensor4D) => tf.mul<tf.Tensor4D>(input, g);
        const { gradient: attribution, target } = await gradientForTarget(
          model,
          input,
          call.target,
          call.inputCheck,
          timesInput,
          call.attributionOnly,
        );
        call.markDrained?.(); // its readback came after the attribution's last op
        call.onProgress?.({ done: input.shape[0], total: input.shape[0] });
        return { attribution, target };
      },
      dispose() {},
    };
  },
};
