// SPDX-License-Identifier: Apache-2.0
import { afterEach, describe, expect, it, vi } from 'vitest';

/** kernelValidationEnabled() of a fresh import of the runtime, with NODE_ENV as given. */
async function defaultFor(nodeEnv: string): Promise<boolean> {
  vi.stubEnv('NODE_ENV', nodeEnv);
  vi.resetModules();
  const { kernelValidationEnabled } = await import('./kernel.js');
  return kernelValidationEnabled();
}

describe('runKernel validation scopes by default', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.resetModules();
  });

  it('are on in development and tests, off in a production build', async () => {
    expect(await defaultFor('development')).toBe(true);
    expect(await defaultFor('test')).toBe(true);
    expect(await defaultFor('production')).toBe(false);
  });
});
