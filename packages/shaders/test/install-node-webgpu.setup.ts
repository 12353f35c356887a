// SPDX-License-Identifier: Apache-2.0
// vitest setupFiles entry (tools/vitest-preset.mjs puts it first for every Node test run): navigator.gpu
// from Dawn, installed exactly as users install it, before any test imports
// @tensorflow/tfjs-backend-webgpu (which registers 'webgpu' only if navigator.gpu exists).
import { installNodeWebGPU } from '../src/node.js';

installNodeWebGPU();
