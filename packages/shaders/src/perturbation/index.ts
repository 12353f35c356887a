// SPDX-License-Identifier: Apache-2.0
export { perturbBatch } from './perturb-batch.kernel.js';
export { perturbBatchRef, type PerturbBatchArgs } from './perturb-batch.ref.js';
export { occlusionMasks } from './occlusion-masks.kernel.js';
export { occlusionMasksRef, occlusionWindowCounts, type OcclusionGeometry } from './occlusion-masks.ref.js';
export { riseMasks } from './rise-masks.kernel.js';
export { riseMasksRef, type RiseGeometry } from './rise-masks.ref.js';
export { maskAccumulate } from './mask-accumulate.kernel.js';
export { maskAccumulateRef } from './mask-accumulate.ref.js';
export { segmentScatter } from './segment-scatter.kernel.js';
export { segmentScatterRef } from './segment-scatter.ref.js';
export { weightedGram, gramColumns, gramBlocks, GRAM_TILE, GRAM_WORKGROUP_SIZE, type GramMode } from './weighted-gram.kernel.js';
export { weightedGramRef, type WeightedGramArgs } from './weighted-gram.ref.js';
