// SPDX-License-Identifier: Apache-2.0
// The bin as users run it: separate processes on the real software GPU (Dawn + lavapipe), real
// fixtures (scikit-image photos, nsfwjs's MobileNetV2, a Teachable Machine export, ONNX, a GraphModel).
import { beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, cpSync, existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { tinyCnnGraphModel, tinyCnnWeights, disposeWeights } from '@webxai/testing/models';
import { parseNpy } from './npy-parse.js';
import { comparable, FIXTURES, readResultsJson, runCli } from './run-cli.js';
import { openReport } from './report-browser.js';

const PHOTOS = join(FIXTURES, 'photos');
const tmp = (name: string) => mkdtempSync(join(tmpdir(), `webxai-${name}-`));
const npy = (dir: string, rel: string) => parseNpy(readFileSync(join(dir, rel)));

describe('bad arguments exit 2 before any work, naming the flag', () => {
  it.each([
    [['--method', ''], /--methods is empty/],
    [['--out', '/dev/null'], /--out '\/dev\/null': '\/dev\/null' exists and is not a folder/],
    [['--out', '/proc/x'], /--out '\/proc\/x' is not a writable folder/],
    [['--images', '/nonexistent/photos'], /--images: '\/nonexistent\/photos' does not exist/],
    [['--model', '/nonexistent/model.json'], /--model: '\/nonexistent\/model.json' does not exist/],
    [['--preprocess', 'imagenet', '--methods', 'saliency'], /--preprocess: preprocess 'imagenet' needs an RGB model/],
    [['--target', 'zebra', '--methods', 'saliency'], /--target 'zebra' is not a label; labels: 0, 1, 2/],
  ])('%j', async (args, message) => {
    const out = tmp('usage');
    const run = await runCli([...args, ...(args.includes('--out') ? [] : ['--out', out])], { timeoutMs: 120_000 });
    expect(run.stderr).toMatch(message);
    expect(run.code).toBe(2);
    if (!args.includes('--out')) expect(existsSync(join(out, 'results.json'))).toBe(false);
  });
});

describe('the shipped MNIST CNN (pnpm explain with no model)', () => {
  const METHODS = ['--methods', 'saliency,grad-cam,occlusion', '--quiet'];
  let single: string;

  beforeAll(async () => {
    single = tmp('single');
    const run = await runCli([...METHODS, '--out', single]);
    expect(run.stderr.replace(/^Warning: .*\n/gm, '')).toBe('');
    expect(run.code).toBe(0);
  }, 900_000);

  it('writes overlays, .npy attributions, results.json and report.html for every digit and method', () => {
    const results = readResultsJson(single);
    expect(results.summary).toMatchObject({ images: 10, ok: 10, failed: 0, failedMethods: 0 });
    expect(results.images.filter((i) => i.prediction![0]!.label === i.file.slice(-1)).length).toBeGreaterThanOrEqual(8);
    for (const image of results.images) {
      for (const m of image.methods) {
        expect(m).toMatchObject({ status: 'ok', path: 'gpu' });
        const a = npy(single, m.attribution!);
        expect(a.shape).toEqual(m.method === 'grad-cam' || m.method === 'occlusion' ? [28, 28] : [28, 28, 1]);
        expect(a.data.some((v) => v !== 0)).toBe(true);
      }
    }
    expect(statSync(join(single, 'report.html')).size).toBeGreaterThan(10_000);
  });

  it('3 shards as separate processes, merged, equal the single-process run', async () => {
    const shards = [0, 1, 2].map(() => tmp('shard'));
    const runs = await Promise.all(shards.map((out, i) => runCli([...METHODS, '--out', out, '--shard', `${i}/3`])));
    expect(runs.map((r) => r.code)).toEqual([0, 0, 0]);
    const sizes = shards.map((d) => readResultsJson(d).images.length);
    expect(sizes.reduce((a, b) => a + b)).toBe(10);
    expect(Math.min(...sizes)).toBeGreaterThan(0);
    const merged = tmp('merged');
    const merge = await runCli(['merge', ...shards, '--out', merged]);
    expect(merge.code).toBe(0);
    const m = readResultsJson(merged);
    expect(comparable(m)).toEqual(comparable(readResultsJson(single)));
    for (const image of m.images) {
      for (const method of image.methods)
        expect(readFileSync(join(merged, method.attribution!))).toEqual(readFileSync(join(single, method.attribution!)));
    }
    // Shards with different settings refuse to merge.
    const other = tmp('other');
    expect((await runCli(['--methods', 'saliency', '--quiet', '--out', other, '--shard', '0/3'])).code).toBe(0);
    const bad = await runCli(['merge', shards[0]!, other, '--out', tmp('bad-merge')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/ran with different methods/);
  }, 900_000);

  it('a shard run into a folder holding the full run keeps the other images in results.json and report.html', async () => {
    const out = tmp('full-then-shard');
    cpSync(single, out, { recursive: true });
    const run = await runCli([...METHODS, '--out', out, '--shard', '1/3']);
    expect(run.code).toBe(0);
    const results = readResultsJson(out);
    expect(results.images.map((i) => i.id)).toEqual(readResultsJson(single).images.map((i) => i.id)); // all 10, same order
    expect(comparable(results)).toEqual(comparable(readResultsJson(single)));
    expect(results.shard).toBeUndefined(); // the folder holds more than shard 1/3
    expect(readFileSync(join(out, 'report.html'), 'utf8').match(/<section class="image/g)).toHaveLength(10);
  }, 900_000);

  it('resumes: a second run reuses every output; --force recomputes them', async () => {
    const out = tmp('resume');
    const args = [...METHODS, '--shard', '1/4', '--out', out];
    expect((await runCli(args)).code).toBe(0);
    const first = readResultsJson(out);
    const file = join(out, first.images[0]!.methods[0]!.overlay!);
    const before = statSync(file).mtimeMs;
    expect((await runCli(args)).code).toBe(0);
    expect(statSync(file).mtimeMs).toBe(before);
    expect(readResultsJson(out).images).toEqual(first.images); // timings too: nothing was recomputed
    expect((await runCli([...args, '--force'])).code).toBe(0);
    expect(statSync(file).mtimeMs).toBeGreaterThan(before);
  }, 900_000);

  it("--metrics scores every explanation with core's evaluate(): deletion and insertion AUC, sparseness", async () => {
    const out = tmp('metrics');
    const run = await runCli(['--methods', 'saliency,grad-cam', '--shard', '1/4', '--metrics', '--quiet', '--out', out]);
    expect(run.code).toBe(0);
    const methods = readResultsJson(out).images.flatMap((i) => i.methods);
    expect(methods.length).toBeGreaterThan(0);
    for (const m of methods) {
      expect(Object.keys(m.scores!)).toEqual(['deletion', 'insertion', 'sparseness']);
      for (const v of Object.values(m.scores!)) expect(v >= 0 && v <= 1).toBe(true);
    }
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toMatch(/deletion 0\.\d{3}, insertion 0\.\d{3}, sparseness 0\.\d{3}/);
  }, 900_000);

  it('--methods all runs or reports every method, writing the ones that worked', async () => {
    const out = tmp('all');
    const run = await runCli(
      [
        '--methods',
        'all',
        '--images',
        'builtin:mnist',
        '--shard',
        '0/10',
        '--quiet',
        '--out',
        out,
        '--set',
        'xrai.integratedGradients={"steps":8}',
        '--set',
        'blur-ig.steps=8',
        '--set',
        'guided-ig.steps=8',
        '--set',
        'anchors.batchSize=64',
      ],
      { timeoutMs: 600_000 },
    );
    const results = readResultsJson(out);
    expect(results.images.length).toBeGreaterThan(0);
    const methods = results.images[0]!.methods;
    expect(methods.map((m) => m.method)).toEqual(results.methods);
    expect(methods.find((m) => m.method === 'expected-gradients')).toMatchObject({ status: 'ok' });
    for (const m of methods.filter((r) => r.status === 'ok')) expect(existsSync(join(out, m.overlay!))).toBe(true);
    const failed = methods.filter((m) => m.status === 'failed');
    expect(run.code).toBe(failed.length ? 1 : 0);
    for (const m of failed) expect(m.error).toMatch(/\w/);
  }, 900_000);
});

describe('a Teachable Machine export on photos, with bad files among them', () => {
  let out: string;
  let images: string;

  beforeAll(() => {
    images = tmp('photos');
    for (const f of ['chelsea.png', 'coffee.jpg', 'astronaut.jpg', 'rocket.jpg']) copyFileSync(join(PHOTOS, f), join(images, f));
    writeFileSync(join(images, 'corrupt.jpg'), 'not a jpeg');
    writeFileSync(join(images, 'empty.png'), '');
    out = tmp('tm');
  });

  it('labels from metadata.json, [-1, 1] and centre crop by default; exit 1 naming the skipped files', async () => {
    const run = await runCli(
      [
        '--model',
        join(FIXTURES, 'teachable-machine'),
        '--images',
        images,
        '--methods',
        'saliency,grad-cam,occlusion',
        '--set',
        'occlusion.window=56',
        '--set',
        'occlusion.stride=56',
        '--out',
        out,
      ],
      { timeoutMs: 600_000 },
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/failed \(2\):\n.*corrupt.jpg: not a readable image[^\n]*\n.*empty.png: empty file \(0 bytes\)/);
    expect(run.stderr).toMatch(/\[6\/6\]/); // plain progress lines when not a TTY
    const results = readResultsJson(out);
    expect(results).toMatchObject({
      preprocess: 'signed',
      resize: 'crop',
      model: { kind: 'layers-model', teachableMachine: true, labels: ['cat', 'coffee', 'astronaut', 'rocket'] },
    });
    const predicted = Object.fromEntries(
      results.images
        .filter((i) => i.status === 'ok')
        .map((i): [string, string] => [i.file.split('/').pop()!, String(i.prediction![0]!.label)]),
    );
    expect(predicted).toEqual({ 'astronaut.jpg': 'astronaut', 'chelsea.png': 'cat', 'coffee.jpg': 'coffee', 'rocket.jpg': 'rocket' });
    const chelsea = results.images.find((i) => i.file.endsWith('chelsea.png'))!;
    expect(chelsea.source).toEqual({ width: 384, height: 255, format: 'png', notes: [] });
    expect(chelsea.methods.map((m) => m.status)).toEqual(['ok', 'ok', 'ok']);
    // Issue 10: Grad-CAM's weighted sum at the auto layer is negative everywhere for chelsea, so its
    // map is blank after the ReLU: the record says so, with the range and the --set to see it.
    const gradCam = chelsea.methods.find((m) => m.method === 'grad-cam')!;
    expect(gradCam.warnings).toHaveLength(1);
    expect(gradCam.warnings![0]).toMatch(
      /all zero after the ReLU: the weighted channel sum is negative at every position \(from -[\d.e-]+ to -[\d.e-]+\).*--set grad-cam\.relu=false/,
    );
    expect(npy(out, chelsea.methods[0]!.attribution!).shape).toEqual([224, 224, 3]);
    const overlay = await sharp(join(out, chelsea.methods[2]!.overlay!)).metadata();
    expect([overlay.format, overlay.width, overlay.height]).toEqual(['png', 224, 224]);
  }, 900_000);

  it('report.html renders every image in headless Chromium, offline, without console errors', async () => {
    const report = await openReport(join(out, 'report.html'));
    expect(report.errors).toEqual([]);
    expect(report.requests.filter((u) => !u.startsWith('file:') && !u.startsWith('data:'))).toEqual([]);
    expect(report.images).toBe(4 * 4); // input + 3 methods per readable photo
    expect(report.broken).toBe(0);
    expect(report.text).toMatch(/chelsea\.png/);
    expect(report.text).toMatch(/skipped: empty file \(0 bytes\)/);
    expect(report.text).toMatch(/grad-cam: the map of image 0 at layer \S+ is all zero after the ReLU/);
    // 16 images inlined as WebP: measured 224 KB (as PNG, the files alone are 2.0 MB: 2.7 MB in base64).
    expect(statSync(join(out, 'report.html')).size).toBeLessThan(400_000);
  });
});

describe('nsfwjs@4.3.0 MobileNetV2 (a real Keras-converted layers model)', () => {
  it('loads through --model, reports its labels, explains with a gradient, a CAM (auto layer) and a perturbation method', async () => {
    const out = tmp('nsfw');
    const run = await runCli(
      [
        '--model',
        join(FIXTURES, 'nsfwjs-mobilenet-v2/model.json'),
        '--images',
        join(PHOTOS, 'chelsea.png'),
        '--methods',
        'saliency,grad-cam,occlusion',
        '--set',
        'occlusion.window=56',
        '--set',
        'occlusion.stride=56',
        '--out',
        out,
        '--quiet',
      ],
      { timeoutMs: 600_000 },
    );
    expect(run.code).toBe(0);
    const [image] = readResultsJson(out).images;
    expect(image!.prediction!.map((c) => c.label)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^(Drawing|Hentai|Neutral|Porn|Sexy)$/)]),
    );
    expect(image!.prediction![0]!.label).toBe('Neutral'); // a cat photo
    expect(image!.probabilities!.reduce((a, b) => a + b)).toBeCloseTo(1, 4);
    for (const m of image!.methods) {
      expect(m.status).toBe('ok');
      const a = npy(out, m.attribution!);
      expect(a.data.some((v) => v > 0)).toBe(true);
    }
    expect(npy(out, image!.methods[1]!.attribution!).shape).toEqual([224, 224]);
  }, 900_000);
});

describe('ONNX (black box) and a GraphModel', () => {
  it('ONNX runs perturbation methods; a gradient method fails with a clear error, and the run exits 1', async () => {
    const out = tmp('onnx');
    const run = await runCli([
      '--model',
      join(FIXTURES, '../../testing/fixtures/tiny-cnn-nchw.onnx'),
      '--images',
      join(PHOTOS, 'rocket.jpg'),
      '--methods',
      'occlusion,saliency',
      '--set',
      'occlusion.window=4',
      '--set',
      'occlusion.stride=4',
      '--out',
      out,
      '--quiet',
    ]);
    expect(run.code).toBe(1);
    const [image] = readResultsJson(out).images;
    expect(readResultsJson(out).model).toMatchObject({ kind: 'onnx', input: { width: 16, height: 16, channels: 3 } });
    expect(image!.prediction![0]!.label).toMatch(/^class \d$/);
    expect(image!.methods[0]).toMatchObject({ method: 'occlusion', status: 'ok' });
    expect(image!.methods[1]).toMatchObject({ method: 'saliency', status: 'failed' });
    expect(image!.methods[1]!.error).toMatch(/gradient/i);
    expect(run.stderr).toMatch(/failed:\n.*rocket.jpg saliency: .*gradient/i); // --quiet still lists failures
  }, 900_000);

  it('a GraphModel model.json from disk is detected and explained', async () => {
    await tf.setBackend('cpu');
    const weights = tinyCnnWeights();
    const graph = await tinyCnnGraphModel(weights);
    const dir = tmp('graph');
    await graph.save(
      tf.io.withSaveHandler((a) => {
        writeFileSync(
          join(dir, 'model.json'),
          JSON.stringify({
            format: 'graph-model',
            modelTopology: a.modelTopology,
            weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }],
          }),
        );
        writeFileSync(join(dir, 'weights.bin'), Buffer.from(a.weightData as ArrayBuffer));
        return Promise.resolve({ modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } });
      }),
    );
    graph.dispose();
    disposeWeights(weights);
    const out = tmp('graph-out');
    const run = await runCli([
      '--model',
      join(dir, 'model.json'),
      '--images',
      join(PHOTOS, 'coffee.jpg'),
      '--methods',
      'saliency,grad-cam',
      '--resize',
      'fill',
      '--out',
      out,
      '--quiet',
    ]);
    expect(run.stderr.replace(/^Warning: .*\n/gm, '')).toBe('');
    expect(run.code).toBe(0);
    const results = readResultsJson(out);
    expect(results.model).toMatchObject({ kind: 'graph-model', input: { width: 16, height: 16, channels: 3 } });
    expect(results.images[0]!.methods.map((m) => m.status)).toEqual(['ok', 'ok']);
  }, 900_000);
});
