// SPDX-License-Identifier: Apache-2.0
// vitest setupFiles entry for Node: the matchers. navigator.gpu comes from Dawn, installed by
// @webxai/shaders' test/install-node-webgpu.setup.ts, which tools/vitest-preset.mjs runs first.
import './matchers.js';
