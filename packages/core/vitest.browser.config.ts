// SPDX-License-Identifier: Apache-2.0
// Core's tests that also run in Chromium: host code whose browser path differs from Node's. The WebAssembly
// modules (ADR 0013: RISE's row writers, ROAD's solve loops, the normal noise, Felzenszwalb's merges) compile
// and run in the page's own WebAssembly engine, under its main-thread limits. The files run in Node too
// (vitest.config.ts); here they check that the browser takes the same path (`lastWrite === 'wasm'`, a level's
// loops, the noise's module, `lastMergePath()`) and gives the same bits.
import { defineConfig } from 'vitest/config';
import { playwright } from '@vitest/browser-playwright';
import { browserTestConfig } from '../../tools/vitest-preset.mjs';

export default defineConfig(
  browserTestConfig({
    include: [
      'src/perturbation/rise/rise-cpu.test.ts',
      'src/perturbation/shared/host-batch-pool.test.ts',
      'src/perturbation/shared/span-composer.test.ts',
      'src/metrics/road/arena.test.ts',
      'src/metrics/road/wasm/grid-loops.test.ts',
      'src/random/normal-fill.test.ts',
      'src/segment/wasm/felzenszwalb-merge.test.ts',
    ],
    provider: playwright,
  }),
);
