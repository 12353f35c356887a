// SPDX-License-Identifier: Apache-2.0
import type { BenchSuite } from '../harness.js';
import { camMobileNetSuite, camResNetSuite } from './cam.js';
import { camAutoLayerSuite } from './cam-auto-layer.js';
import { dispatchSuite } from './dispatch.js';
import { elementwiseSuite } from './elementwise.js';
import { featuresSuite } from './features.js';
import { kernelsSuite } from './kernels.js';
import { gradientMobileNetSuite, gradientSmallSuite } from './gradient.js';
import { gradientGraphSuite } from './gradient-graph.js';
import { naiveSuite } from './naive/index.js';
import { metricsSuite } from './metrics.js';
import { metricPassesSuite } from './metric-passes.js';
import { metricExplainsSuite } from './metric-explains.js';
import { perturbationSuite } from './perturbation.js';
import { randomSuite } from './random.js';
import { reduceSuite } from './reduce.js';

/** Every suite, in run order. Add yours here (one file or folder per suite under src/suites/). */
export const SUITES: readonly BenchSuite[] = [
  dispatchSuite,
  kernelsSuite,
  elementwiseSuite,
  reduceSuite,
  randomSuite,
  gradientSmallSuite,
  gradientMobileNetSuite,
  gradientGraphSuite,
  perturbationSuite,
  camMobileNetSuite,
  camResNetSuite,
  camAutoLayerSuite,
  metricsSuite,
  metricPassesSuite,
  metricExplainsSuite,
  featuresSuite,
  naiveSuite,
];
