// SPDX-License-Identifier: Apache-2.0
import { InvalidOptionError } from '@webxai/shaders';
import { numberOption, seedOption } from '../../api/options.js';
import { areProbabilities, checkCurveOutput, targetValue, type CurveOutput } from '../shared/curve.js';
import { scoreWithOriginalsWhileReading } from '../shared/host-batches.js';
import { descendingOrder } from '../shared/order.js';
import type { MetricDefinition, MetricInputs } from '../types.js';
import { Arena } from './arena.js';
import { noisyLinearImpute } from './imputation.js';

/** Options of `'road'`. */
export interface RoadOptions {
  /** 'morf' removes the most relevant pixels first (lower curve = better), 'lerf' the least relevant first (higher = better). Default 'morf'. */
  readonly order?: 'morf' | 'lerf';
  /** Fractions of pixels removed, each in (0, 1), ascending. Default 0.1, 0.2, ..., 0.9 (the ROAD paper's). */
  readonly fractions?: readonly number[];
  /** Std of the noise added to imputed values. Default 0.01 (ROAD's NoisyLinearImputer). */
  readonly noise?: number;
  /** 'probability' (default) or 'logit'. */
  readonly output?: CurveOutput;
  /** Seed of the imputation noise. Default 0. */
  readonly seed?: number;
}

declare module '../types.js' {
  interface MetricRegistry {
    road: RoadOptions;
  }
}

const NAME = 'road';
const DEFAULT_FRACTIONS = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];

/**
 * `'road'` (Rong et al. 2022, "A Consistent and Efficient Evaluation Strategy for Attribution
 * Methods", ICML): for each fraction f, the top floor(f * H * W) pixels of the order (MoRF: by
 * descending pixel score; LeRF: ascending; ties by row-major index) are removed and filled by noisy
 * linear imputation ({@link noisyLinearImpute}), which leaks no mask shape to the model; the curve is
 * the target's probability (or logit) per fraction and the score its mean. The imputed images are
 * solved on the host and uploaded once per batch into the model's input; on the GPU path the
 * originals go forward while the map's readback travels, and all scores come back in one readback.
 */
export const road: MetricDefinition<'road'> = {
  name: NAME,
  optionNames: { order: true, fractions: true, noise: true, output: true, seed: true },
  hostInput: true,
  check(o) {
    if (o.order !== undefined && o.order !== 'morf' && o.order !== 'lerf')
      throw new InvalidOptionError(`${NAME}: order must be 'morf' or 'lerf', got ${JSON.stringify(o.order)}`);
    const f = o.fractions ?? DEFAULT_FRACTIONS;
    if (!Array.isArray(f) || f.length < 1 || !f.every((v, i) => typeof v === 'number' && v > 0 && v < 1 && (i === 0 || v > f[i - 1]!))) {
      throw new InvalidOptionError(`${NAME}: fractions must be ascending numbers in (0, 1), got ${JSON.stringify(o.fractions)}`);
    }
    numberOption(NAME, 'noise', o.noise, 0.01, 0);
    seedOption(NAME, o.seed);
    checkCurveOutput(NAME, o.output);
  },
  async runWhileReading(inputs, o) {
    const { height, width, channels } = inputs;
    const pixels = height * width;
    const fractions = o.fractions ?? DEFAULT_FRACTIONS;
    // One arena and output image for the run: the imputations reuse each other's temporaries (see
    // Arena), and each imputed image is copied into its batch before the next is made.
    const arena = new Arena();
    const imputed = new Float32Array(pixels * channels);
    // The imputations follow the map's order: they start once the readback lands (the originals
    // go forward before, see scoreWithOriginalsWhileReading).
    const imputer = (read: MetricInputs) => {
      const orders = read.maps.map((map) => descendingOrder(o.order === 'lerf' ? map.map((v) => -v) : map));
      return (i: number, s: number) => {
        const removed = new Uint8Array(pixels);
        const k = Math.floor(fractions[s]! * pixels);
        for (let r = 0; r < k; r++) removed[orders[i]![r]!] = 1;
        const image = read.inputValues!.subarray(i * pixels * channels, (i + 1) * pixels * channels);
        const offset = (i * fractions.length + s) * pixels * channels;
        const options = { noise: o.noise ?? 0.01, seed: o.seed ?? 0, streamOffset: offset };
        return noisyLinearImpute(image, removed, height, width, channels, options, arena, imputed);
      };
    };
    const { original, derived, classes, targets } = await scoreWithOriginalsWhileReading(NAME, inputs, fractions.length, imputer);
    inputs.markDrained?.(); // every score came back in that readback: the rest is host arithmetic
    const softmax = (o.output ?? 'probability') === 'probability' && !areProbabilities(original, classes);
    const curves = targets.map((_, i) => {
      const rows = derived.subarray(i * fractions.length * classes, (i + 1) * fractions.length * classes);
      return Float32Array.from(fractions, (_, s) => targetValue(rows, classes, s, targets[i]!, softmax));
    });
    return { scores: curves.map((c) => c.reduce((s, v) => s + v, 0) / c.length), curves, target: targets };
  },
};
