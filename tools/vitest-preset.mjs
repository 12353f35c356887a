// SPDX-License-Identifier: Apache-2.0
// Shared vitest settings: workspace packages resolve to their TypeScript source through the
// "@webxai/source" export condition (no build needed to test), and .wgsl files load as strings.
import { fileURLToPath } from 'node:url';
import { defaultClientConditions, defaultServerConditions } from 'vite';
import { wgsl } from './wgsl-plugin.mjs';

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
      testTimeout: 120_000,
      hookTimeout: 120_000,
      reporters: ['default', 'json'],
      outputFile: { json: 'reports/vitest-node.json' },
    },
  };
}
