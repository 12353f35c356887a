// SPDX-License-Identifier: Apache-2.0
import { booleanOption, integerOption, numberOption, rejectOption, seedOption, signalOption } from '../api/options.js';
import { checkOptionNames, type OptionNames } from '../api/option-names.js';
import { FELZENSZWALB_OPTION_NAMES } from './felzenszwalb.js';
import { QUICKSHIFT_OPTION_NAMES } from './quickshift.js';
import type { SegmentOptions, SlicOptions } from './segment.js';

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
};

const METHODS = ['slic', 'felzenszwalb', 'quickshift'] as const;

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
  if (!METHODS.includes(method as (typeof METHODS)[number])) rejectOption('segment', 'method', "'slic', 'felzenszwalb' or 'quickshift'", method);
  signalOption('segment', options.signal);
  if (options.method === 'slic') {
    checkOptionNames('segment (slic)', options, SLIC_OPTION_NAMES);
    if (options.segments !== undefined) integerOption('segment', 'segments', options.segments, 100, 1);
    numberOption('segment', 'compactness', options.compactness, 10, 0, Infinity, true);
    integerOption('segment', 'iterations', options.iterations, 10, 0);
    booleanOption('segment', 'enforceConnectivity', options.enforceConnectivity, true);
    numberOption('segment', 'minSizeFactor', options.minSizeFactor, 0.5, 0);
  } else if (options.method === 'felzenszwalb') {
    checkOptionNames('segment (felzenszwalb)', options, COMMON_SEGMENT_OPTION_NAMES, FELZENSZWALB_OPTION_NAMES);
    numberOption('segment', 'scale', options.scale, 1, 0, Infinity, true);
    numberOption('segment', 'sigma', options.sigma, 0.8, 0);
    integerOption('segment', 'minSize', options.minSize, 20, 0);
  } else {
    checkOptionNames('segment (quickshift)', options, COMMON_SEGMENT_OPTION_NAMES, QUICKSHIFT_OPTION_NAMES);
    numberOption('segment', 'ratio', options.ratio, 1, 0, 1);
    numberOption('segment', 'kernelSize', options.kernelSize, 5, 0, 64, false);
    if (!((options.kernelSize ?? 5) > 0)) rejectOption('segment', 'kernelSize', 'a finite number in (0, 64]', options.kernelSize);
    numberOption('segment', 'maxDist', options.maxDist, 10, 0);
    numberOption('segment', 'sigma', options.sigma, 0, 0);
    seedOption('segment', options.seed);
  }
}
