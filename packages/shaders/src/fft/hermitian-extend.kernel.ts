// SPDX-License-Identifier: Apache-2.0
import source from './hermitian-extend.wgsl';
import { defineKernel } from '../runtime/kernel.js';

/**
 * GPU kernel: `rows` half spectra [rows, 2 W] ([re | im], W = floor(width / 2) + 1) -> their
 * Hermitian extensions to `width`, two rows per complex sequence, `pairs` [ceil(rows / 2), 2,
 * width] (see hermitian-extend.wgsl). One f32 sum per value (a + i b): half an ulp of the result.
 * CPU reference: hermitianExtendRef.
 */
export const hermitianExtend = defineKernel({
  name: 'hermitian-extend',
  source,
  workgroupSize: 64,
  bindings: {
    params: { uniform: { rows: 'u32', width: 'u32', half: 'u32' } },
    halfSpectra: { storage: 'read' },
    pairs: { storage: 'read_write' },
  },
  tolerance: { abs: 1e-7, rel: 1.2e-7 },
  threads: ({ params }) => Math.ceil(params.rows / 2) * params.width,
});
