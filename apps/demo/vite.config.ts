// SPDX-License-Identifier: Apache-2.0
import { defaultClientConditions, defineConfig } from 'vite';
import { wgsl } from '../../tools/wgsl-plugin.mjs';
import { SOURCE_CONDITION } from '../../tools/vitest-preset.mjs';

// Workspace packages resolve to their TypeScript source ("@webxai/source"), so the demo needs no
// prior build of the @webxai packages; .wgsl files import as strings.
export default defineConfig({
  plugins: [wgsl()],
  resolve: { conditions: [SOURCE_CONDITION, ...defaultClientConditions] },
  // tfjs (with its webgpu backend) is most of the bundle: ~1.7 MB minified, ~450 kB gzipped.
  build: { target: 'es2022', chunkSizeWarningLimit: 2000 },
  optimizeDeps: { include: ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-webgpu', '@webxai/ui > lit'] },
  preview: { host: '127.0.0.1' },
});
