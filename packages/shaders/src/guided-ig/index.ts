// SPDX-License-Identifier: Apache-2.0
export { KTH_KEY_MAX, kthKey } from './kth-key.kernel.js';
export { kthKeyRef } from './kth-key.ref.js';
