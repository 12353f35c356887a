// SPDX-License-Identifier: Apache-2.0
export { infidelity, type InfidelityOptions } from './infidelity.js';
