// SPDX-License-Identifier: Apache-2.0
// The naive gradient CAMs and Eigen-CAM (cam-variants.ts) compute webxai's maps at conv3 of the
// shipped MNIST CNN on tfjs's webgpu backend, and leave no tensor behind. Never timings.
import { describe, expect, it } from 'vitest';
import { leakFree, mnistFixture, relativeError, webxaiResult } from '../../../test/naive-agreement.js';
import { naiveEigenCam, naiveGradCamPlusPlus, naiveHiResCam, naiveLayerCam, naiveXGradCam } from './cam-variants.js';

const f = mnistFixture();
const webxaiMap = (method: string) => webxaiResult(f, { method, layer: 'conv3' }, 'map');

describe('the naive CAMs compute what webxai computes (MNIST CNN conv3, webgpu)', () => {
  const gradientCams = [
    ['grad-cam++', naiveGradCamPlusPlus],
    ['xgrad-cam', naiveXGradCam],
    ['hires-cam', naiveHiResCam],
    ['layer-cam', naiveLayerCam],
  ] as const;
  for (const [method, naiveCam] of gradientCams) {
    it(`${method}: the same map`, async () => {
      const naive = await leakFree(f, () => naiveCam(f.tfjs.tf, f.model, f.image, f.target, 'conv3'));
      expect(relativeError(naive, await webxaiMap(method))).toBeLessThan(1e-5);
    });
  }

  it("eigen-cam: the same map (power iteration on the host vs webxai's kernel)", async () => {
    const naive = await leakFree(f, () => naiveEigenCam(f.tfjs.tf, f.model, f.image, 'conv3'));
    expect(relativeError(naive, await webxaiMap('eigen-cam'))).toBeLessThan(1e-4);
  });
});
