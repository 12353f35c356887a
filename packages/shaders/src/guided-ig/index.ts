// SPDX-License-Identifier: Apache-2.0
export { GUIDED_IG_SELECT_KEY_BITS, guidedIgSelect } from './guided-ig-select.kernel.js';
export { guidedIgSelectRef } from './guided-ig-select.ref.js';
export { guidedIgClip } from './guided-ig-clip.kernel.js';
export { guidedIgClipRef, type GuidedIgClipInputs } from './guided-ig-clip.ref.js';
export { guidedIgStep } from './guided-ig-step.kernel.js';
export { guidedIgStepRef, type GuidedIgStepInputs, type GuidedIgStepParams } from './guided-ig-step.ref.js';
