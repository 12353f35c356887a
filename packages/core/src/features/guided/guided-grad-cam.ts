// SPDX-License-Identifier: Apache-2.0
import * as tf from '@tensorflow/tfjs';
import type { ExplainResultBase, MethodDefinition } from '../../api/types.js';
import { gradCam } from '../../cam/methods.js';
import type { CamResult } from '../../cam/types.js';
import type { LayerInfo } from '../../model/split/types.js';
import type { LayerSpec } from '../../model/split/list-layers.js';
import { reluGradientInstance } from './guided-backprop.js';
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
 * @example
 * const r = await explain(model, image, { method: 'guided-grad-cam', layer: 'conv2' });
 * r.attribution; // [1, h, w, c]; r.cam: [1, h, w] in [0, 1]
 */
export const guidedGradCam: MethodDefinition<'guided-grad-cam'> = {
  name: 'guided-grad-cam',
  requires: 'gradients',
  optionNames: GUIDED_GRAD_CAM_OPTION_NAMES,
  defersInputCheck: true, // guided backprop's pass reads it
  create(model, options) {
    const guided = reluGradientInstance(model, 'guided', options.preprocess, 'intermediate');
    const cam = gradCam.create(model, {
      method: 'grad-cam',
      layer: options.layer ?? 'auto',
      ...(options.preprocess ? { preprocess: options.preprocess } : {}),
    });
    return {
      async explain(input, call) {
        // Guided backprop's pass resolves the target (and reads the input check); Grad-CAM reuses it.
        const gb = await guided.explain(input, { ...call, onProgress: undefined });
        const { target } = gb;
        const shared = { ...call, target, onProgress: undefined };
        let map: Awaited<ReturnType<typeof cam.explain>> | undefined;
        try {
          map = await cam.explain(input, shared);
          const camMap = map.attribution;
          const attribution = tf.tidy<tf.Tensor4D>(() => tf.mul(gb.attribution, tf.expandDims(camMap, 3)));
          call.onProgress?.({ done: input.shape[0], total: input.shape[0] });
          const { layer, layers } = map as unknown as Pick<CamResult, 'layer' | 'layers'>;
          return { attribution, cam: camMap, layer: layer as string, layers, relus: gb.relus, target };
        } catch (error) {
          map?.attribution.dispose();
          throw error;
        } finally {
          gb.attribution.dispose();
          tf.dispose(map?.map);
        }
      },
      dispose() {
        guided.dispose();
        cam.dispose();
      },
    };
  },
};
