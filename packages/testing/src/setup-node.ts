// SPDX-License-Identifier: Apache-2.0
// vitest setupFiles entry for Node: navigator.gpu from Dawn (before any test imports
// @tensorflow/tfjs-backend-webgpu, which registers 'webgpu' only if navigator.gpu exists), plus matchers.
import { installDawn } from './dawn.js';
import './matchers.js';

installDawn();
