// SPDX-License-Identifier: Apache-2.0
export { maxSensitivity, type MaxSensitivityOptions } from './max-sensitivity.js';
