// SPDX-License-Identifier: Apache-2.0
import * as tf from '@tensorflow/tfjs';
import type { CallContext, ExplainResultBase, MethodDefinition, MethodOutput } from '../../api/types.js';
import { checkTargetClass, givenTargets } from '../../api/targets.js';
import { readCheckedWithScores } from '../../api/input-check.js';
import { nonFiniteScoresError } from '../../model/non-finite-scores.js';
import { gradCam } from '../../cam/methods.js';
import type { CamResult } from '../../cam/types.js';
import type { RidingCall } from '../../cam/peak-readback.js';
import type { LayerInfo } from '../../model/split/types.js';
import type { LayerSpec } from '../../model/split/list-layers.js';
import { gradientAndScores } from '../../gradient/target-gradients.js';
import { overriddenForward } from './relu-override.js';
import { guidedProduct, guidedRide, OtherTarget } from './guided-ride.js';
import type { OptionNames } from '../../api/option-names.js';

/** Options of `'guided-grad-cam'`. */
export interface GuidedGradCamOptions {
  /** The Grad-CAM layer: a name from `listLayers`, or 'auto' (default, the last spatial layer). One layer. */
  readonly layer?: Exclude<LayerSpec, readonly string[]>;
}

/** Option names of guided-grad-cam. */
export const GUIDED_GRAD_CAM_OPTION_NAMES: OptionNames<GuidedGradCamOptions> = { layer: true };

/** Result of `'guided-grad-cam'`. */
export interface GuidedGradCamResult extends ExplainResultBase {
  /** [n, h, w, c]: guided backprop x the upsampled Grad-CAM map (same at every channel); caller disposes. */
  readonly attribution: tf.Tensor4D;
  /** The Grad-CAM map upsampled to the input, in [0, 1] per image: [n, h, w]; caller disposes. */
  readonly cam: tf.Tensor3D;
  /** The Grad-CAM layer used. */
  readonly layer: string;
  readonly layers: LayerInfo[];
  /** Layers / nodes whose ReLU gradient was replaced. */
  readonly relus: string[];
}

declare module '../../api/types.js' {
  interface MethodRegistry {
    'guided-grad-cam': { options: GuidedGradCamOptions; result: GuidedGradCamResult };
  }
}

/**
 * `'guided-grad-cam'` (Selvaraju et al., ICCV 2017, section 3.1): guided backprop multiplied
 * pixelwise by the Grad-CAM map, upsampled and normalised as `'grad-cam'` returns it (bilinear,
 * [0, 1] per image, as pytorch-grad-cam; Captum's GuidedGradCam upsamples the raw map instead).
 * Targets are resolved once, from guided backprop's pass, and shared with Grad-CAM's.
 *
 * Both passes and their product are recorded before anything is read: guided backprop's readback
 * (its scores' check, its chosen classes, the input check) rides in Grad-CAM's map peaks' readback,
 * so the call waits for the GPU once, not twice (on Chromium's SwiftShader a round trip is ~2.7 ms).
 * With `'predicted'`, Grad-CAM's pass picks its own argmax, and the readback compares it with guided
 * backprop's: the two forward passes give the model's scores, so they agree unless a tie rounds
 * differently, and then Grad-CAM runs again for guided backprop's classes (the serial order's result).
 *
 * @example
 * const r = await explain(model, image, { method: 'guided-grad-cam', layer: 'conv2' });
 * r.attribution; // [1, h, w, c]; r.cam: [1, h, w] in [0, 1]
 */
export const guidedGradCam: MethodDefinition<'guided-grad-cam'> = {
  name: 'guided-grad-cam',
  requires: 'gradients',
  optionNames: GUIDED_GRAD_CAM_OPTION_NAMES,
  defersInputCheck: true, // read in Grad-CAM's peaks' readback (or with the scores, for a class out of range)
  create(model, options) {
    const guided = overriddenForward(model.source, 'guided', options.preprocess);
    const cam = gradCam.create(model, {
      method: 'grad-cam',
      layer: options.layer ?? 'auto',
      ...(options.preprocess ? { preprocess: options.preprocess } : {}),
    });
    const relus = [...guided.relus];
    /** The product of a guided backprop and Grad-CAM's result for its targets. */
    const combine = (gradient: tf.Tensor4D, map: MethodOutput<'grad-cam'>, target: number[], product?: tf.Tensor4D) => {
      const camMap = map.attribution;
      tf.dispose(map.map);
      const attribution = product ?? guidedProduct(gradient, camMap);
      const { layer, layers } = map as unknown as Pick<CamResult, 'layer' | 'layers'>;
      return { attribution, cam: camMap, layer: layer as string, layers, relus: [...relus], target };
    };
    /** Grad-CAM for targets already on the host, times the gradient. */
    const camFor = async (input: tf.Tensor4D, call: CallContext, gradient: tf.Tensor4D, target: number[]) => {
      // Grad-CAM's drain mark is not passed on: the product is recorded after its readback.
      const map = await cam.explain(input, { ...call, target, onProgress: undefined, markDrained: () => {} });
      return combine(gradient, map, target);
    };
    return {
      async explain(input, call) {
        const rows = input.shape[0];
        const given = givenTargets(call.target, rows);
        const pass = gradientAndScores(guided.forward, input, given);
        try {
          if (given) await rejectClassesOutOfRange(pass.scores, given, call, model.kind);
          const out = await withRide(input, call, pass, given, model.kind);
          call.onProgress?.({ done: rows, total: rows });
          return out;
        } finally {
          tf.dispose([pass.gradient, pass.scores, pass.chosen]);
        }
      },
      dispose() {
        cam.dispose();
      },
    };

    /** Grad-CAM recorded after guided backprop's pass, with that pass's readback riding in Grad-CAM's. */
    async function withRide(
      input: tf.Tensor4D,
      call: CallContext,
      pass: ReturnType<typeof gradientAndScores>,
      given: number[] | undefined,
      kind: string,
    ): Promise<MethodOutput<'guided-grad-cam'>> {
      const ride = guidedRide(pass, given, kind);
      try {
        const riding: RidingCall = { ...call, target: given ?? 'predicted', onProgress: undefined, ride };
        const map = await cam.explain(input, riding);
        return combine(pass.gradient, map, ride.target(), ride.takeProduct());
      } catch (error) {
        ride.dispose();
        if (!(error instanceof OtherTarget)) throw error;
        return camFor(input, call, pass.gradient, ride.target());
      }
    }
  },
};

/**
 * For a given class out of range, the errors guided backprop's own pass gives, in its order (the
 * input's check, the scores' finiteness, then the class), read from the guided pass already
 * recorded; no readback when every class is in range.
 */
async function rejectClassesOutOfRange(scores: tf.Tensor2D, given: readonly number[], call: CallContext, kind: string): Promise<void> {
  const classes = scores.shape[1];
  if (!given.some((c) => c >= classes)) return;
  const read = await readCheckedWithScores(call.inputCheck, undefined, scores);
  if (!read.scoresFinite) throw nonFiniteScoresError(kind);
  for (const c of given) checkTargetClass(c, classes);
}
