// SPDX-License-Identifier: Apache-2.0
// vitest setupFiles entry for browser mode: the page already has navigator.gpu (SwiftShader).
import './matchers.js';
