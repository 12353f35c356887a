// SPDX-License-Identifier: Apache-2.0
import type * as tf from '@tensorflow/tfjs';
import { gradientAsAttribution, gradientForTarget } from '../../gradient/target-gradients.js';
import type { CallContext, ExplainResultBase, MethodDefinition, MethodInstance } from '../../api/types.js';
import type { ModelAdapter } from '../../model/types.js';
import { overriddenForward, type ReluGradient } from './relu-override.js';
import type { OptionNames } from '../../api/option-names.js';

/** Options of `'guided-backprop'` and `'deconvnet'` (none besides the common ones). */
export type GuidedBackpropOptions = Record<never, never>;

/** Option names of guided-backprop and deconvnet: none of their own. */
export const GUIDED_BACKPROP_OPTION_NAMES: OptionNames<GuidedBackpropOptions> = {};

/** Result of `'guided-backprop'` and `'deconvnet'`. */
export interface GuidedBackpropResult extends ExplainResultBase {
  /** [n, h, w, c], signed (as Captum's GuidedBackprop / Deconvolution); caller disposes. */
  readonly attribution: tf.Tensor4D;
  /** Layers (LayersModel) or nodes (GraphModel) whose ReLU gradient was replaced, in execution order. */
  readonly relus: string[];
}

declare module '../../api/types.js' {
  interface MethodRegistry {
    'guided-backprop': { options: GuidedBackpropOptions; result: GuidedBackpropResult };
    deconvnet: { options: GuidedBackpropOptions; result: GuidedBackpropResult };
  }
}

/**
 * Prepared guided backprop / deconvnet for one model: one forward + backward pass through the
 * overridden ReLUs, whose forward values are the model's, so the target is resolved from that
 * pass's own scores (no separate prediction; the input check comes back in the same readback).
 * A small attribution rides in that readback too (its host copy) and the call is marked drained.
 * (Guided Grad-CAM records this pass itself: its readback rides in Grad-CAM's.)
 */
export function reluGradientInstance(
  model: ModelAdapter,
  mode: ReluGradient,
  preprocess: ((x: tf.Tensor4D) => tf.Tensor4D) | undefined,
): MethodInstance<'guided-backprop'> {
  const { forward, relus } = overriddenForward(model.source, mode, preprocess);
  return {
    async explain(input: tf.Tensor4D, call: CallContext) {
      const adapter = { forward, kind: model.kind };
      const { gradient: attribution, target } = await gradientForTarget(
        adapter,
        input,
        call.target,
        call.inputCheck,
        gradientAsAttribution,
        call.attributionOnly,
      );
      call.markDrained?.(); // its readback came after the attribution's last op
      call.onProgress?.({ done: input.shape[0], total: input.shape[0] });
      return { attribution, target, relus: [...relus] };
    },
    dispose() {},
  };
}

/**
 * `'guided-backprop'` (Springenberg et al., "Striving for Simplicity", ICLR 2015 workshop; Captum
 * `GuidedBackprop`): the gradient of the target score with every ReLU passing back only positive
 * gradients where its input was positive. Needs a LayersModel or GraphModel with ReLUs.
 *
 * @example
 * const r = await explain(model, image, { method: 'guided-backprop' });
 * r.attribution; // [1, h, w, c], signed; r.relus: ['conv1', 'conv2']
 */
export const guidedBackprop: MethodDefinition<'guided-backprop'> = {
  name: 'guided-backprop',
  requires: 'gradients',
  optionNames: GUIDED_BACKPROP_OPTION_NAMES,
  defersInputCheck: true, // read with the pass's scores and classes
  create: (model, options) => reluGradientInstance(model, 'guided', options.preprocess),
};

/**
 * `'deconvnet'` (Zeiler & Fergus, ECCV 2014; Captum `Deconvolution`): the backward pass with every
 * ReLU applied to the gradient instead of masked by the forward activation.
 *
 * @example
 * const r = await explain(model, image, { method: 'deconvnet', target: 3 });
 */
export const deconvnet: MethodDefinition<'deconvnet'> = {
  name: 'deconvnet',
  requires: 'gradients',
  optionNames: GUIDED_BACKPROP_OPTION_NAMES,
  defersInputCheck: true, // read with the pass's scores and classes
  create: (model, options) => reluGradientInstance(model, 'deconvnet', options.preprocess),
};
