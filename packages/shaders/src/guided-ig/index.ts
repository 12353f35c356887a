// SPDX-License-Identifier: Apache-2.0
export { GUIDED_IG_KEY_BITS } from './guided-ig-keys.ref.js';
export { GUIDED_IG_SHORT_ROW, guidedIgStep, guidedIgStepFor } from './guided-ig-step.kernel.js';
export { guidedIgStepRef, type GuidedIgStepInputs, type GuidedIgStepParams } from './guided-ig-step.ref.js';
