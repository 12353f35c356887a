// SPDX-License-Identifier: Apache-2.0
import source from './blur-taps.wgsl';
import type { WgslSnippet } from '../runtime/kernel.js';

/** BlurPoint (the packed plan's entry, both blur kernels), blurSpot and inImageTaps (gaussian-blur-axis's tap geometry). */
export const blurTapsSnippet: WgslSnippet = { name: 'blur-taps.wgsl', source };
