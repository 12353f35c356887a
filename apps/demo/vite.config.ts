// SPDX-License-Identifier: Apache-2.0
import { defaultClientConditions, defineConfig } from 'vite';
import { wgsl } from '../../tools/wgsl-plugin.mjs';
import { SOURCE_CONDITION } from '../../tools/vitest-preset.mjs';

// Workspace packages resolve to their TypeScript source ("@webxai/source"), so the demo needs no
// prior build of @webxai/shaders; .wgsl files import as strings.
export default defineConfig({
  plugins: [wgsl()],
  resolve: { conditions: [SOURCE_CONDITION, ...defaultClientConditions] },
  build: { target: 'es2022' },
  preview: { host: '127.0.0.1' },
});
