// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { PNG } from 'pngjs';
import { parseCliArgs } from './args.js';
import { runExplanations } from './run.js';

describe('pnpm explain (the main job)', () => {
  it('parses its flags and rejects bad ones with a readable message', () => {
    expect(parseCliArgs(['--help'])).toBe('help');
    expect(parseCliArgs(['--method', 'saliency,grad-cam', '--samples', '3'])).toMatchObject({ methods: ['saliency', 'grad-cam'], samples: 3, backend: 'webgpu' });
    expect(() => parseCliArgs(['--samples', '0'])).toThrow(/--samples must be an integer in 1..20/);
    expect(() => parseCliArgs(['--backend', 'webgl'])).toThrow(/--backend must be webgpu or cpu/);
    expect(() => parseCliArgs(['--bogus'])).toThrow();
  });

  it('explains the embedded digits on the GPU with heatmaps that favour the ink', async () => {
    const lines: string[] = [];
    await tf.setBackend('webgpu');
    const before = tf.memory().numTensors;
    const summary = await runExplanations(
      { methods: ['saliency', 'integrated-gradients', 'grad-cam'], samples: 3, out: 'unused', backend: 'webgpu', json: false },
      (line) => lines.push(line),
    );
    expect(tf.memory().numTensors).toBe(before);
    expect(summary.adapter).toMatch(/llvmpipe|swiftshader|lavapipe/i);
    expect(summary.samples.map((s) => s.label)).toEqual([0, 1, 2]);
    expect(summary.samples.filter((s) => s.predicted === s.label).length).toBeGreaterThanOrEqual(2);
    for (const m of summary.methods) {
      expect(m.error).toBeUndefined();
      expect(m.path).toBe('gpu');
      const png = PNG.sync.read(m.png!);
      expect([png.width, png.height]).toEqual([3 * 28 * 6, 28 * 6]);
    }
    const share = (method: string) => summary.methods.find((m) => m.method === method)!.inkShare!;
    // A model that reads digits puts more gradient on the strokes than a uniform map would.
    expect(summary.inkFraction).toBeGreaterThan(0.05);
    expect(share('saliency')).toBeGreaterThan(summary.inkFraction);
    // IG with a zeros baseline is exactly 0 where the pixel is 0 (attribution = (x - 0) * mean gradient).
    expect(share('integrated-gradients')).toBeGreaterThan(0.9);
    const ig = summary.methods.find((m) => m.method === 'integrated-gradients')!;
    expect(ig.maxRelativeDelta!).toBeLessThan(0.05); // 64 Gauss-Legendre steps on a small CNN
    expect(lines.join('\n')).toMatch(/integrated-gradients\s+gpu/);
  });

  it('names unknown methods and lists the available ones', async () => {
    await expect(
      runExplanations({ methods: ['saliency', 'nonsense'], samples: 1, out: 'unused', backend: 'webgpu', json: false }, () => {}),
    ).rejects.toThrow(/unknown method\(s\) nonsense; available: .*saliency/);
  });
});
