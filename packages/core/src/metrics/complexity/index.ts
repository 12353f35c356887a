// SPDX-License-Identifier: Apache-2.0
export { sparseness, complexity, gini, entropy } from './complexity.js';
