// SPDX-License-Identifier: Apache-2.0
import { defineConfig } from 'vitest/config';
import { nodeTestConfig } from '../../tools/vitest-preset.mjs';

const config = nodeTestConfig({ setupFiles: ['@webxai/testing/setup-node'] });
// The process tests run the built bin: build it once before any test file.
export default defineConfig({ ...config, test: { ...config.test, globalSetup: ['./test/build-cli.ts'] } });
