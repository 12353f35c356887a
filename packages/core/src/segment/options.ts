// SPDX-License-Identifier: Apache-2.0
import { booleanOption, choiceOption, integerOption, numberOption, rejectOption, seedOption, signalOption } from '../api/options.js';
import { checkOptionNames, type OptionNames } from '../api/option-names.js';
import { FELZENSZWALB_OPTION_NAMES } from './felzenszwalb.js';
import { QUICKSHIFT_OPTION_NAMES } from './quickshift.js';
import type { SegmentOptions, SlicOptions, SlicPlacement } from './segment.js';

/** Option names every segmentation method takes. */
const COMMON_SEGMENT_OPTION_NAMES = { method: true, valueRange: true, signal: true } as const;

/** Option names of SLIC (checked against SlicOptions by the compiler). */
export const SLIC_OPTION_NAMES: OptionNames<SlicOptions> = {
  ...COMMON_SEGMENT_OPTION_NAMES,
  segments: true,
  compactness: true,
  iterations: true,
  enforceConnectivity: true,
  minSizeFactor: true,
  placement: true,
};

const METHODS = ['slic', 'felzenszwalb', 'quickshift'] as const;
const SLIC_PLACEMENTS: readonly SlicPlacement[] = ['auto', 'gpu', 'host'];

/** Pre-smoothing beyond this blurs any image to a constant; the filter costs O(sigma) per pixel. */
const MAX_SIGMA = 64;

/**
 * Checks `segment`'s options before any work: a known method, only its option names, and values
 * in range (the number of segments is checked against the image by the SLIC plan).
 * @throws {InvalidOptionError} naming the option.
 */
export function checkSegmentOptions(options: SegmentOptions | undefined): void {
  if (typeof options !== 'object' || options === null) {
    rejectOption('segment', 'options', "an object with a method ('slic', 'felzenszwalb' or 'quickshift')", options);
  }
  const method = (options as { method?: unknown }).method;
  if (!METHODS.includes(method as (typeof METHODS)[number]))
    rejectOption('segment', 'method', "'slic', 'felzenszwalb' or 'quickshift'", method);
  signalOption('segment', options.signal);
  if (options.method === 'slic') {
    checkOptionNames('segment (slic)', options, SLIC_OPTION_NAMES);
    if (options.segments !== undefined) integerOption('segment', 'segments', options.segments, 100, 1);
    numberOption('segment', 'compactness', options.compactness, 10, 0, Infinity, true);
    integerOption('segment', 'iterations', options.iterations, 10, 0);
    booleanOption('segment', 'enforceConnectivity', options.enforceConnectivity, true);
    numberOption('segment', 'minSizeFactor', options.minSizeFactor, 0.5, 0);
    choiceOption('segment', 'placement', options.placement, 'auto', SLIC_PLACEMENTS);
  } else if (options.method === 'felzenszwalb') {
    checkOptionNames('segment (felzenszwalb)', options, COMMON_SEGMENT_OPTION_NAMES, FELZENSZWALB_OPTION_NAMES);
    numberOption('segment', 'scale', options.scale, 1, 0, Infinity, true);
    numberOption('segment', 'sigma', options.sigma, 0.8, 0, MAX_SIGMA);
    integerOption('segment', 'minSize', options.minSize, 20, 0);
  } else {
    checkOptionNames('segment (quickshift)', options, COMMON_SEGMENT_OPTION_NAMES, QUICKSHIFT_OPTION_NAMES);
    numberOption('segment', 'ratio', options.ratio, 1, 0, 1);
    // The window is ceil(3 kernelSize) pixels each way, (2 window + 1)^2 operations per pixel: bounded.
    const kernelSize: unknown = options.kernelSize ?? 5;
    if (typeof kernelSize !== 'number' || !(kernelSize > 0 && kernelSize <= 64))
      rejectOption('segment', 'kernelSize', 'a finite number in (0, 64]', kernelSize);
    numberOption('segment', 'maxDist', options.maxDist, 10, 0);
    numberOption('segment', 'sigma', options.sigma, 0, 0, MAX_SIGMA);
    seedOption('segment', options.seed);
  }
}
