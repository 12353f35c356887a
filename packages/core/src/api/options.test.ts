// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { DeviceLostError, DisposedError, InvalidOptionError, XaiError, xaiError, type XaiErrorCode } from '@webxai/shaders';
import {
  booleanOption,
  choiceOption,
  integerOption,
  numberOption,
  pairOption,
  seedOption,
  signalOption,
  functionOption,
} from './options.js';

describe('option validators', () => {
  it('return the value or the default', () => {
    expect(integerOption('m', 'steps', undefined, 50)).toBe(50);
    expect(integerOption('m', 'steps', 7, 50)).toBe(7);
    expect(numberOption('m', 'p', 0.25, 0.5, 0, 1, true)).toBe(0.25);
    expect(booleanOption('m', 'abs', undefined, true)).toBe(true);
    expect(choiceOption('m', 'rule', undefined, 'a', ['a', 'b'])).toBe('a');
    expect(pairOption('m', 'window', 3, [1, 1])).toEqual([3, 3]);
    expect(seedOption('m', 2 ** 40)).toBe(2 ** 40);
  });

  it('reject in one style: "<method>: <option> must be <rule>, got <value>"', () => {
    const cases: [() => unknown, string][] = [
      [() => integerOption('lime', 'samples', 2.5, 1, 2, 2 ** 24), 'lime: samples must be an integer in [2, 16777216], got 2.5'],
      [() => integerOption('rise', 'batchSize', 0, 1), 'rise: batchSize must be an integer >= 1, got 0'],
      [() => integerOption('rise', 'batchSize', '4', 1), 'rise: batchSize must be an integer >= 1, got "4"'],
      [() => numberOption('anchors', 'delta', 1, 0.1, 0, 1, true), 'anchors: delta must be a finite number in (0, 1), got 1'],
      [() => numberOption('smoothgrad', 'noiseLevel', Number.NaN, 0.15, 0), 'smoothgrad: noiseLevel must be a finite number >= 0, got NaN'],
      [() => booleanOption('grad-cam', 'eigenSmooth', 'yes', false), 'grad-cam: eigenSmooth must be a boolean, got "yes"'],
      [
        () => choiceOption('integrated-gradients', 'rule', 'simpson', 'a', ['a', 'b']),
        "integrated-gradients: rule must be one of 'a', 'b', got \"simpson\"",
      ],
      [
        () => pairOption('occlusion', 'stride', [1, 1.5], [1, 1]),
        'occlusion: stride must be a positive integer or [height, width] of positive integers, got [1,1.5]',
      ],
      [() => seedOption('lime', -1), 'lime: seed must be an integer in [0, 2^53), got -1'],
      [() => functionOption('saliency', 'onProgress', 5), 'saliency: onProgress must be a function, got 5'],
      [() => signalOption('saliency', 'x'), 'saliency: signal must be an AbortSignal, got "x"'],
    ];
    for (const [call, message] of cases) {
      const error = (() => {
        try {
          call();
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(InvalidOptionError);
      expect((error as Error).message).toBe(`${message} [xai:invalid-option]`);
    }
  });

  it('use one seed range for every method: [0, 2^53)', () => {
    expect(seedOption('integrated-gradients', 2 ** 32)).toBe(2 ** 32);
    expect(seedOption('lime', Number.MAX_SAFE_INTEGER)).toBe(Number.MAX_SAFE_INTEGER);
    expect(() => seedOption('smoothgrad', 2 ** 53)).toThrow(InvalidOptionError);
  });
});

describe('typed errors', () => {
  it('xaiError maps every code to its subclass, so instanceof is reliable', () => {
    const codes: XaiErrorCode[] = [
      'webgpu-unavailable',
      'device-lost',
      'gpu-validation',
      'gpu-out-of-memory',
      'shape-mismatch',
      'invalid-input',
      'invalid-option',
      'unsupported-model',
      'unknown-layer',
      'model-error',
      'disposed',
      'aborted',
    ];
    for (const code of codes) {
      const error = xaiError(code, 'x');
      expect(error.code).toBe(code);
      expect(error).toBeInstanceOf(XaiError);
      expect(error.constructor).not.toBe(XaiError);
    }
    expect(xaiError('disposed', 'x')).toBeInstanceOf(DisposedError);
  });

  it('DeviceLostError takes (message, reason, options) like its siblings', () => {
    const error = new DeviceLostError('the GPUDevice was lost', 'destroyed: device.destroy()', { cause: 1 });
    expect(error.message).toBe('the GPUDevice was lost [xai:device-lost]');
    expect(error.reason).toBe('destroyed: device.destroy()');
    expect(error.cause).toBe(1);
  });
});
