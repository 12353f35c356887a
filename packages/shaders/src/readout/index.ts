// SPDX-License-Identifier: Apache-2.0
export { finiteReadout } from './finite-readout.kernel.js';
export { finiteReadoutRef } from './finite-readout.ref.js';
