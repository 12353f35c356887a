// SPDX-License-Identifier: Apache-2.0
export { featureMosaic } from './feature-mosaic.kernel.js';
export { featureMosaicRef, mosaicSize, type FeatureMosaicShape } from './feature-mosaic.ref.js';
