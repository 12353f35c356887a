// SPDX-License-Identifier: Apache-2.0
import { defineConfig } from 'vitest/config';
import { playwright } from '@vitest/browser-playwright';
import { browserTestConfig } from '../../tools/vitest-preset.mjs';

export default defineConfig(
  browserTestConfig({
    include: ['src/**/*.browser.test.ts', 'test/**/*.browser.test.ts'],
    provider: playwright,
    prebundle: ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-webgpu', 'lit'],
  }),
);
