// SPDX-License-Identifier: Apache-2.0
export { maxPoolGrad, maxPoolGradInvocations } from './max-pool-grad.kernel.js';
export { firstArgmaxRef, maxPool3dGeometry, maxPoolGeometry, maxPoolGradRef } from './max-pool-grad.ref.js';
export type { MaxPoolGeometry } from './max-pool-grad.ref.js';
