// SPDX-License-Identifier: Apache-2.0
export { deletion, insertion, type RankedCurveOptions } from './deletion.js';
