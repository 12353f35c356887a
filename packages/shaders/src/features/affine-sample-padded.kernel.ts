// SPDX-License-Identifier: Apache-2.0
import source from './affine-sample-padded.wgsl';
import { defineKernel } from '../runtime/kernel.js';
import { kernelVariant } from '../runtime/kernel-variant.js';
import { affineMapSnippet, affineSampleParamsSnippet } from '../snippets/index.js';
import { affineSample, affineTolerance } from './affine-sample.kernel.js';
import { rowGrid } from './row-grid.js';

/** Invocations per workgroup: one row of them covers a 128-wide output row (affine-sample-padded.wgsl). */
const ROW_WORKGROUP = 128;

/**
 * GPU kernel: {@link affineSample} from a padded source `src [n, srcHeight, srcWidth, 4]` (each
 * pixel's `channels` <= 4 values in one vec4; fft-plan.ts's ImageLayout 'padded') into the packed
 * `output [n, outHeight, outWidth, channels]`: one vector load per tap instead of `channels` scalar
 * ones, bit-identical to affine-sample on the packed image. See affine-sample-padded.wgsl; CPU
 * reference: affineSamplePaddedRef. {@link affineSamplePaddedFor} gives its channels as a constant.
 */
export const affineSamplePadded = defineKernel({
  name: 'affine-sample-padded',
  source,
  workgroupSize: ROW_WORKGROUP,
  bindings: affineSample.bindings,
  tolerance: affineTolerance,
  includes: [affineMapSnippet, affineSampleParamsSnippet],
  // One invocation per output pixel (affine-sample-padded.wgsl says why this grid).
  workgroups: ({ params }) =>
    rowGrid(
      'affine-sample-padded',
      'output rows',
      { images: params.images, rows: params.outHeight, columns: params.outWidth },
      ROW_WORKGROUP,
    ),
});

/**
 * {@link affineSamplePadded} with `channels` (1..4, the uniform's) a pipeline constant: the same
 * bits, the stores' guards folded (visualizeFeature's 3 channels: see affine-sample-padded.wgsl).
 */
export const affineSamplePaddedFor = (channels: number) => kernelVariant(affineSamplePadded, { CHANNELS: channels });
