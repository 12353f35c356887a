// SPDX-License-Identifier: Apache-2.0
// Runs after @webxai/testing/setup-node (Dawn is navigator.gpu by now). In Node ESM the umbrella
// package is what registers chained ops and gradients; the webgpu backend registers itself at
// import time only because navigator.gpu exists.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';

// PROD silences the "install tfjs-node" banner. Never IS_TEST: its kernel leak checks misfire on webgpu.
tf.enableProdMode();
// Keep every op on the GPU (small ops are otherwise forwarded to the CPU, and dataToGPU() then fails).
tf.env().set('WEBGPU_CPU_FORWARD', false);
