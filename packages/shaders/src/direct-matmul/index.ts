// SPDX-License-Identifier: Apache-2.0
export { directMatmul, directMatmulFor, directMatmulInvocations, DIRECT_MATMUL_ACTIVATIONS } from './direct-matmul.kernel.js';
export type { DirectMatmulActivation, DirectMatmulModes } from './direct-matmul.kernel.js';
export { directMatmulRef, matmulActivationRef } from './direct-matmul.ref.js';
export type { DirectMatmulShape } from './direct-matmul.ref.js';
