// SPDX-License-Identifier: Apache-2.0
import source from './cam-map.wgsl';
import { defineKernel } from '../runtime/kernel.js';
import { kernelVariant } from '../runtime/kernel-variant.js';
import { camEpilogueSnippet } from '../snippets/index.js';

/** How cam-map weighs activations: per channel, elementwise (HiResCAM), elementwise ReLU (LayerCAM). */
export type CamWeighting = 'channel' | 'elementwise' | 'elementwise-relu';

/** The shader's `MODE` override constant for each {@link CamWeighting}. */
export const CAM_WEIGHTING_MODES: Readonly<Record<CamWeighting, number>> = { channel: 0, elementwise: 1, 'elementwise-relu': 2 };

/** cam-map's uniform: the activation batch and the output size (eigen-component's starts with it too). */
export const CAM_MAP_UNIFORM = {
  images: 'u32',
  height: 'u32',
  width: 'u32',
  channels: 'u32',
  outHeight: 'u32',
  outWidth: 'u32',
} as const;

/**
 * GPU kernel: weighted channel sum + ReLU at the layer's resolution (written to `map`), then
 * bilinear upsampling (half-pixel centres) and per-image min-max normalisation before and
 * (`finalNormalise`) after the resize (written to `output`), and each image's map maximum (written
 * to `peaks`), one workgroup per image. See cam-map.wgsl; CPU reference: camMapRef. This descriptor
 * is the 'channel' weighting without the final normalisation; {@link camMapFor} gives the others.
 */
export const camMap = defineKernel({
  name: 'cam-map',
  source,
  includes: [camEpilogueSnippet],
  // Small: software adapters run a workgroup's invocations in groups of a few lanes and emulate each
  // barrier of the min-max trees. On SwiftShader 7x7x64 -> 28x28 took 0.81 ms at 256 and 0.20 ms at
  // 64 (session 14); with the constants and the rescale pass, 0.20 at 64, 0.14 at 32, 0.11 at 16,
  // while 7x7x1280 -> 224x224 took 2.98 / 2.85 / 2.92 ms (session 17). One workgroup per image either way.
  workgroupSize: 32,
  bindings: {
    params: { uniform: CAM_MAP_UNIFORM },
    act: { storage: 'read' },
    weights: { storage: 'read' },
    map: { storage: 'read_write' },
    output: { storage: 'read_write' },
    peaks: { storage: 'read_write' },
  },
  // map and peaks: K-term f32 dot products (K <= 2048, operands O(1)): abs 2e-4 covers K u sum|w a| for
  // sum|w a| <= 1600. output in [0, 1]: the map's error divided by its range, plus the lerp.
  tolerance: { abs: 2e-4, rel: 1e-4 },
  workgroups: ({ params }) => params.images,
});

/**
 * {@link camMap} for `weighting`, normalising again after the resize when `finalNormalise` (the
 * shader's MODE and FINAL_NORMALISE override constants: one cached descriptor and pipeline each).
 */
export function camMapFor(weighting: CamWeighting, finalNormalise: boolean): typeof camMap {
  return kernelVariant(camMap, { MODE: CAM_WEIGHTING_MODES[weighting], FINAL_NORMALISE: finalNormalise ? 1 : 0 });
}
