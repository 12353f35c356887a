// SPDX-License-Identifier: Apache-2.0
export { maxPoolGrad, maxPoolGradInvocations, maxPoolGradTiles, maxPoolGradTilesCovers } from './max-pool-grad.kernel.js';
export { firstArgmaxRef, maxPool3dGeometry, maxPoolGeometry, maxPoolGradRef } from './max-pool-grad.ref.js';
export type { MaxPoolGeometry } from './max-pool-grad.ref.js';
export { directMaxPool } from './direct-max-pool.kernel.js';
export { poolQuadsInvocations, poolQuadsParams } from './pool-quads.js';
export { directMaxPoolRef, MAX_POOL_START } from './direct-max-pool.ref.js';
