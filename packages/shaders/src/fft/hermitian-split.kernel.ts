// SPDX-License-Identifier: Apache-2.0
import source from './hermitian-split.wgsl';
import { defineKernel } from '../runtime/kernel.js';

/**
 * GPU kernel: the adjoint of {@link hermitianExtend} after a forward DFT of the packed pairs:
 * `pairs` [ceil(rows / 2), 2, width] -> each row's weighted half spectrum `halfSpectra` [rows, 2 W]
 * (see hermitian-split.wgsl). One sum and a halving per value: a few ulp of the inputs.
 * CPU reference: hermitianSplitRef.
 */
export const hermitianSplit = defineKernel({
  name: 'hermitian-split',
  source,
  workgroupSize: 64,
  bindings: {
    params: { uniform: { rows: 'u32', width: 'u32', half: 'u32' } },
    pairs: { storage: 'read' },
    halfSpectra: { storage: 'read_write' },
  },
  tolerance: { abs: 1e-6, rel: 1e-6 },
  threads: ({ params }) => Math.ceil(params.rows / 2) * (Math.floor(params.width / 2) + 1),
});
