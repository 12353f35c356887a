// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '@webxai/shaders';
import { checkOptionNames, nearestName } from './option-names.js';

describe('option names', () => {
  it('suggest the nearest valid name for typos, plurals and prefixes', () => {
    expect(nearestName('step', ['steps', 'rule', 'seed'])).toBe('steps');
    expect(nearestName('sample', ['samples', 'seed'])).toBe('samples');
    expect(nearestName('targets', ['target', 'signal'])).toBe('target');
    expect(nearestName('windowSize', ['window', 'stride'])).toBe('window');
    expect(nearestName('nSegments', ['segments', 'compactness'])).toBe('segments');
    expect(nearestName('Steps', ['steps'])).toBe('steps');
    expect(nearestName('sedd', ['seed', 'steps'])).toBe('seed');
    expect(nearestName('xyzzy', ['steps', 'seed'])).toBeUndefined();
  });

  it('reject unknown names with the suggestion, or the valid names when nothing is close', () => {
    expect(() => checkOptionNames('integrated-gradients', { step: 1e7 }, { steps: true, rule: true })).toThrow(
      "integrated-gradients: unknown option 'step' (did you mean 'steps'?)",
    );
    expect(() => checkOptionNames('m', { xyzzy: 1 }, { steps: true }, { seed: true })).toThrow(
      "m: unknown option 'xyzzy' (valid options: seed, steps)",
    );
    expect(() => checkOptionNames('m', { steps: 1, seed: 2 }, { steps: true }, { seed: true })).not.toThrow();
    expect(() => checkOptionNames('m', 'steps', { steps: true })).toThrow(InvalidOptionError);
    expect(() => checkOptionNames('m', [1], { steps: true })).toThrow(/options must be an object, got an array/);
  });
});
