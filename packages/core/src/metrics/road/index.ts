// SPDX-License-Identifier: Apache-2.0
export { road, type RoadOptions } from './road.js';
export { noisyLinearImpute, type ImputeOptions } from './imputation.js';
