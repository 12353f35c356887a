// SPDX-License-Identifier: Apache-2.0
import source from './smoothgrad-accumulate.wgsl';
import { defineKernel } from '../runtime/kernel.js';

/** Per-sample attribution of the wrapped method: the gradient (or a ready attribution), |gradient|, or point * gradient. */
export type SmoothGradInner = 'identity' | 'abs' | 'times-input';
/** mean (SmoothGrad), squared (SmoothGrad^2) or variance (VarGrad: needs a second accumulator). */
export type SmoothGradVariant = 'mean' | 'squared' | 'variance';

const INNER_CODES: Readonly<Record<SmoothGradInner, number>> = { identity: 0, abs: 1, 'times-input': 2 };
const VARIANT_CODES: Readonly<Record<SmoothGradVariant, number>> = { mean: 0, squared: 1, variance: 2 };

function define(inner: SmoothGradInner, variant: SmoothGradVariant) {
  return defineKernel({
    name: 'smoothgrad-accumulate',
    source,
    workgroupSize: 256,
    constants: { INNER: INNER_CODES[inner], VARIANT: VARIANT_CODES[variant] },
    bindings: {
      params: { uniform: { elementCount: 'u32', pointCount: 'u32', firstPoint: 'u32', imageCount: 'u32', invSamples: 'f32' } },
      points: { storage: 'read' },
      gradients: { storage: 'read' },
      moment1: { storage: 'read_write' },
      moment2: { storage: 'read_write' },
    },
    // (k + 2) u * sum|terms| for k <= 64 terms of magnitude <= 4 (squares) scaled by 1/samples.
    tolerance: { abs: 2e-6, rel: 2e-5 },
    threads: ({ params }) => params.imageCount * params.elementCount,
  });
}

/**
 * Every smoothgrad-accumulate pipeline, keyed `${inner}/${variant}` (override constants; descriptors
 * are plain objects, pipelines compile on first use). Exported so that tests see every variant.
 */
export const smoothGradAccumulateKernels: ReadonlyMap<string, ReturnType<typeof define>> = new Map(
  (Object.keys(INNER_CODES) as SmoothGradInner[]).flatMap((inner) =>
    (Object.keys(VARIANT_CODES) as SmoothGradVariant[]).map((variant) => [`${inner}/${variant}`, define(inner, variant)] as const),
  ),
);

/** The smoothgrad-accumulate pipeline for an inner method and variant (override constants). See smoothgrad-accumulate.wgsl. */
export function smoothGradAccumulate(inner: SmoothGradInner, variant: SmoothGradVariant): ReturnType<typeof define> {
  return smoothGradAccumulateKernels.get(`${inner}/${variant}`)!;
}
