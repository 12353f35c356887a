// SPDX-License-Identifier: Apache-2.0
import { defineConfig } from 'vitest/config';
import { nodeTestConfig } from '../../tools/vitest-preset.mjs';

export default defineConfig(nodeTestConfig({ setupFiles: ['@webxai/testing/setup-node'] }));
