// SPDX-License-Identifier: Apache-2.0
import { defineConfig } from 'vitest/config';
import { playwright } from '@vitest/browser-playwright';
import { defaultClientConditions } from 'vite';
import { CHROMIUM_PATH, CHROMIUM_ARGS } from '../../tools/chromium.mjs';
import { wgsl } from '../../tools/wgsl-plugin.mjs';
import { SOURCE_CONDITION } from '../../tools/vitest-preset.mjs';

export default defineConfig({
  plugins: [wgsl()],
  resolve: { conditions: [SOURCE_CONDITION, ...defaultClientConditions] },
  // Pre-bundle heavy deps up front, so the optimizer does not reload the page mid-run.
  optimizeDeps: { include: ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-webgpu', 'lit'] },
  test: {
    include: ['src/**/*.browser.test.ts', 'test/**/*.browser.test.ts'],
    setupFiles: ['@webxai/testing/setup-browser'],
    testTimeout: 120_000,
    reporters: ['default', 'json'],
    outputFile: { json: 'reports/vitest-browser.json' },
    browser: {
      enabled: true,
      headless: true,
      screenshotFailures: false,
      // Fits Playwright's 1280x720 window, so screenshots are not scaled down (pixel statistics need 1:1).
      viewport: { width: 800, height: 600 },
      provider: playwright({ launchOptions: { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS } }),
      instances: [{ browser: 'chromium' }],
    },
  },
});
