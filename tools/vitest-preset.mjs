// SPDX-License-Identifier: Apache-2.0
// Shared vitest settings: workspace packages resolve to their TypeScript source through the
// "@webxai/source" export condition (no build needed to test), and .wgsl files load as strings.
import { fileURLToPath } from 'node:url';
import { defaultClientConditions, defaultServerConditions } from 'vite';
import { wgsl } from './wgsl-plugin.mjs';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium.mjs';

export const SOURCE_CONDITION = '@webxai/source';

/** Installs Dawn as navigator.gpu the way users do (installNodeWebGPU); runs before a package's own setup files. */
const INSTALL_NODE_WEBGPU = fileURLToPath(new URL('../packages/shaders/test/install-node-webgpu.setup.ts', import.meta.url));

/** Node-side tests (Dawn + lavapipe for *.gpu.test.ts). */
export function nodeTestConfig({ include = ['src/**/*.test.ts', 'test/**/*.test.ts'], setupFiles = [] } = {}) {
  return {
    plugins: [wgsl()],
    resolve: { conditions: [SOURCE_CONDITION, ...defaultClientConditions] },
    ssr: { resolve: { conditions: [SOURCE_CONDITION, ...defaultServerConditions] } },
    test: {
      environment: 'node',
      include,
      exclude: ['**/node_modules/**', '**/dist/**', '**/*.browser.test.ts'],
      setupFiles: [INSTALL_NODE_WEBGPU, ...setupFiles],
      // Dawn + lavapipe are CPU-heavy; one file at a time on a 2-core machine.
      pool: 'forks',
      fileParallelism: false,
      // A hang guard, not a timing bound. `pnpm test` runs every package's suite at once on 2 cores
      // (lavapipe and SwiftShader threads beside each other, load ~16): there a test that takes 1.2 s
      // alone took 165 s (session 34's clean-clone CI, visualize-feature's 96-step run; its file's
      // other tests ran ~10x their solo time), each of its GPU waits starved of CPU. 120 s failed it.
      testTimeout: 300_000,
      hookTimeout: 300_000,
      reporters: ['default', 'json'],
      outputFile: { json: 'reports/vitest-node.json' },
    },
  };
}

/**
 * Browser-side tests: headless Debian Chromium (tools/chromium.mjs), WebGPU on SwiftShader. `include` names
 * the files; `prebundle` lists heavy dependencies to optimise up front, so the optimizer does not reload
 * the page mid-run. `provider` is the package's `playwright` from @vitest/browser-playwright (passed in so
 * only packages that run browser tests depend on it).
 */
export function browserTestConfig({ include, provider, setupFiles = ['@webxai/testing/setup-browser'], prebundle = [] }) {
  return {
    plugins: [wgsl()],
    resolve: { conditions: [SOURCE_CONDITION, ...defaultClientConditions] },
    optimizeDeps: { include: prebundle },
    test: {
      include,
      setupFiles,
      testTimeout: 120_000,
      reporters: ['default', 'json'],
      outputFile: { json: 'reports/vitest-browser.json' },
      browser: {
        enabled: true,
        headless: true,
        screenshotFailures: false,
        // Fits Playwright's 1280x720 window, so screenshots are not scaled down (pixel statistics need 1:1).
        viewport: { width: 800, height: 600 },
        provider: provider({ launchOptions: { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS } }),
        instances: [{ browser: 'chromium' }],
      },
    },
  };
}
