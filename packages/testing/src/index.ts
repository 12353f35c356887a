// SPDX-License-Identifier: Apache-2.0
export * from './gpu-test.js';
export * from './matchers.js';
export * from './seeded.js';
export * from './submits.js';
