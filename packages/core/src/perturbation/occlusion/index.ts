// SPDX-License-Identifier: Apache-2.0
export { occlusion, type OcclusionOptions, type OcclusionResult } from './occlusion.js';
