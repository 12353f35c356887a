// SPDX-License-Identifier: Apache-2.0
import source from './blur-taps.wgsl';
import type { WgslSnippet } from '../runtime/kernel.js';

/** BlurPoint, blurSpot and inImageTaps: the tap geometry shared by gaussian-blur-axis and gaussian-blur-pair. */
export const blurTapsSnippet: WgslSnippet = { name: 'blur-taps.wgsl', source };
