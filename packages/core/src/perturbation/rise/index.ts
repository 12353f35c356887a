// SPDX-License-Identifier: Apache-2.0
export { rise, riseSamples, type RiseOptions, type RiseResult } from './rise.js';
