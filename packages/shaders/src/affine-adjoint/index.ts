// SPDX-License-Identifier: Apache-2.0
export { affineSampleAdjointRows } from './affine-sample-adjoint-rows.kernel.js';
export { affineSampleAdjointRowsRef } from './affine-sample-adjoint-rows.ref.js';
