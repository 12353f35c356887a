// SPDX-License-Identifier: Apache-2.0
export { partitionShap, type PartitionShapOptions, type PartitionShapResult } from './partition-shap.js';
export { partitionTree, centroids, type PartitionTree } from './partition-tree.js';
export { owenValues, type CoalitionScorer } from './owen.js';
