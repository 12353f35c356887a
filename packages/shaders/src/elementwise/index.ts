// SPDX-License-Identifier: Apache-2.0
export { affine } from './affine.kernel.js';
export { affineRef } from './affine.ref.js';
export { fill } from './fill.kernel.js';
export { fillRef } from './fill.ref.js';
export { copy } from './copy.kernel.js';
export { copyRef } from './copy.ref.js';
export { reluGrad, reluGradInvocations } from './relu-grad.kernel.js';
export { reluGradRef } from './relu-grad.ref.js';
