// SPDX-License-Identifier: Apache-2.0
// Runs after @webxai/testing/setup-node (Dawn is navigator.gpu by now). In Node ESM the umbrella
// package is what registers chained ops and gradients; the webgpu backend registers itself at
// import time only because navigator.gpu exists.
import '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { configureTfjs } from '../src/interop/tfjs-setup.js';

configureTfjs();
