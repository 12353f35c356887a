// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listMethods } from '@webxai/core';
import { DEFAULT_METHODS, parseCliArgs, type ExplainArgs } from '../src/args.js';
import { UsageError } from '../src/errors.js';
import { collectImages, globToRegExp } from '../src/images/collect.js';
import { imageId } from '../src/images/sources.js';
import { prepareOutDir } from '../src/output/files.js';
import { encodeNpy } from '../src/output/npy.js';
import { resolveTarget, toProbabilities, topClasses } from '../src/run/predictions.js';
import { fnv1a, inShard, parseShard } from '../src/run/shard.js';
import { parseNpy } from './npy-parse.js';

const explainArgs = (argv: string[], env = {}) => parseCliArgs(argv, env) as ExplainArgs;
const usage = (argv: string[], env = {}) => {
  try {
    parseCliArgs(argv, env);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error(`no UsageError for ${argv.join(' ')}`);
};

describe('argument parsing', () => {
  it("defaults to the shipped model and digits with the issue's methods", () => {
    const a = explainArgs([]);
    expect(a).toMatchObject({
      command: 'explain',
      model: ['builtin:mnist'],
      images: ['builtin:mnist'],
      methods: DEFAULT_METHODS,
      target: 'predicted',
      backend: 'webgpu',
      out: 'out',
      force: false,
      seed: 0,
    });
    expect(a.resize).toBeUndefined();
    expect(explainArgs(['explain', '--', '--out', 'x']).out).toBe('x'); // `pnpm explain -- ...` passes a '--'
    expect(parseCliArgs(['--help'])).toBe('help');
  });

  it('reads every flag', () => {
    const a = explainArgs([
      '--model',
      'm/model.json',
      '--model',
      'm/metadata.json',
      '--images',
      'a.png,b/',
      '--images',
      'c/**/*.jpg',
      '--labels',
      'l.txt',
      '--resize',
      'fit',
      '--preprocess',
      'imagenet',
      '--methods',
      'saliency,grad-cam',
      '--set',
      'grad-cam.layer=conv3',
      '--set',
      'saliency.abs=false',
      '--target',
      'cat',
      '--backend',
      'cpu',
      '--batch',
      '8',
      '--seed',
      '3',
      '--out',
      'o',
      '--force',
      '--quiet',
      '--shard',
      '1/4',
      '--top',
      '5',
      '--max-pixels',
      '1000',
    ]);
    expect(a).toMatchObject({
      model: ['m/model.json', 'm/metadata.json'],
      images: ['a.png', 'b/', 'c/**/*.jpg'],
      labels: 'l.txt',
      resize: 'fit',
      preprocess: 'imagenet',
      methods: ['saliency', 'grad-cam'],
      methodOptions: { 'grad-cam': { layer: 'conv3' }, saliency: { abs: false } },
      target: 'cat',
      backend: 'cpu',
      batch: 8,
      seed: 3,
      out: 'o',
      force: true,
      quiet: true,
      shard: { index: 1, count: 4 },
      top: 5,
      maxPixels: 1000,
    });
    expect(explainArgs(['--methods', 'all']).methods).toEqual(listMethods());
    expect(explainArgs(['--method', 'occlusion']).methods).toEqual(['occlusion']);
    expect(explainArgs(['--methods', 'lime', '--set', 'lime.samples=128', '--set', 'lime.kernelWidth=0.25']).methodOptions).toEqual({
      lime: { samples: 128, kernelWidth: 0.25 },
    });
    expect(explainArgs(['--methods', 'occlusion', '--set', 'occlusion.window=[8,8]']).methodOptions).toEqual({
      occlusion: { window: [8, 8] },
    });
  });

  it('rejects bad arguments naming the flag and the valid values', () => {
    expect(usage(['--method', ''])).toMatch(/--methods is empty; give one or more of: all, saliency/);
    expect(usage(['--methods', ' , '])).toMatch(/--methods is empty/);
    expect(usage(['--methods', 'saliency,nonsense'])).toMatch(/unknown method\(s\) nonsense; valid: all, saliency/);
    expect(usage(['--resize', 'zoom'])).toMatch(/--resize must be one of crop, fit, fill, got 'zoom'/);
    expect(usage(['--preprocess', '0-1'])).toMatch(/--preprocess must be one of unit, signed, imagenet, raw/);
    expect(usage(['--backend', 'webgl'])).toMatch(/--backend must be webgpu or cpu/);
    expect(usage(['--batch', '0'])).toMatch(/--batch must be an integer >= 1, got '0'/);
    expect(usage(['--seed', '1.5'])).toMatch(/--seed must be an integer/);
    expect(usage(['--set', 'steps=3'])).toMatch(/--set expects method.option=value/);
    expect(usage(['--methods', 'saliency', '--set', 'lime.samples=3'])).toMatch(/'lime' is not among --methods/);
    expect(usage(['--bogus'])).toMatch(/Unknown option '--bogus'/);
    expect(usage(['--out', ''])).toMatch(/--out must name a folder/);
    expect(usage(['--model', ''])).toMatch(/--model is empty/);
    expect(usage(['--shard', '3/3'])).toMatch(/shard index must be in 0..count-1/);
    expect(usage(['--shard', 'half'])).toMatch(/--shard must be i\/n/);
    expect(usage(['--method', 'a', '--methods', 'b'])).toMatch(/give --methods once/);
    expect(usage(['merge', 'a'])).toMatch(/merge needs --out/);
    expect(usage(['merge', '--out', 'x'])).toMatch(/merge needs the output folders/);
    expect(parseCliArgs(['merge', 'a', 'b', '--out', 'm'])).toEqual({ command: 'merge', dirs: ['a', 'b'], out: 'm', quiet: false });
  });
});

describe('sharding', () => {
  it('reads i/n and auto from Kubernetes, Slurm and GitLab variables', () => {
    expect(parseShard('2/5', {})).toEqual({ index: 2, count: 5 });
    expect(parseShard('auto', { JOB_COMPLETION_INDEX: '3', WEBXAI_SHARD_COUNT: '4' })).toEqual({ index: 3, count: 4 });
    expect(parseShard('auto', { SLURM_ARRAY_TASK_ID: '0', SLURM_ARRAY_TASK_COUNT: '2' })).toEqual({ index: 0, count: 2 });
    expect(parseShard('auto', { CI_NODE_INDEX: '1', CI_NODE_TOTAL: '3' })).toEqual({ index: 0, count: 3 });
    expect(() => parseShard('auto', { JOB_COMPLETION_INDEX: '1' })).toThrow(/WEBXAI_SHARD_COUNT is not; set WEBXAI_SHARD_COUNT/);
    expect(() => parseShard('auto', {})).toThrow(/none of JOB_COMPLETION_INDEX/);
    expect(() => parseShard('auto', { JOB_COMPLETION_INDEX: '4', WEBXAI_SHARD_COUNT: '4' })).toThrow(/0..count-1/);
  });

  it('puts every image in exactly one shard, by a stable hash of its id', () => {
    expect(fnv1a('')).toBe(0x811c9dc5);
    expect(fnv1a('a')).toBe(0xe40c292c); // FNV-1a 32-bit test vector
    const ids = Array.from({ length: 300 }, (_, i) => imageId(`photos/img-${i}.jpg`));
    const counts = [0, 1, 2].map((index) => ids.filter((id) => inShard(id, { index, count: 3 })).length);
    expect(counts.reduce((a, b) => a + b)).toBe(300);
    for (const c of counts) expect(c).toBeGreaterThan(70); // roughly balanced
    expect(ids.every((id) => inShard(id, undefined))).toBe(true);
    expect(imageId('a b/ü.png')).toMatch(/^_-[0-9a-f]{8}$/);
  });
});

describe('.npy output', () => {
  it('writes what a .npy reader reads back: header, shape and values', () => {
    const values = Float32Array.from({ length: 2 * 3 * 4 }, (_, i) => i - 7.25);
    const bytes = encodeNpy(values, [2, 3, 4]);
    expect(bytes.subarray(0, 6).toString('latin1')).toBe('\x93NUMPY');
    const parsed = parseNpy(bytes);
    expect(parsed.shape).toEqual([2, 3, 4]);
    expect(Array.from(parsed.data)).toEqual(Array.from(values));
    expect(parseNpy(encodeNpy(Float32Array.of(1, 2), [2])).shape).toEqual([2]);
    expect(() => encodeNpy(values, [5])).toThrow(/shape \[5\] holds 5 values, got 24/);
  });
});

describe('image collection', () => {
  it('expands files, folders recursively and globs, sorted and de-duplicated', () => {
    const root = mkdtempSync(join(tmpdir(), 'webxai-collect-'));
    mkdirSync(join(root, 'a/b'), { recursive: true });
    for (const f of ['x.png', 'a/y.JPG', 'a/b/z.webp', 'a/notes.txt', 'a/.hidden.png']) writeFileSync(join(root, f), 'x');
    expect(collectImages([root]).map((f) => f.slice(root.length + 1))).toEqual(['a/b/z.webp', 'a/y.JPG', 'x.png']);
    expect(collectImages([`${root}/**/*.webp`, join(root, 'x.png'), join(root, 'x.png')]).map((f) => f.slice(root.length + 1))).toEqual([
      'a/b/z.webp',
      'x.png',
    ]);
    expect(collectImages([join(root, 'a/notes.txt')])).toHaveLength(1); // named explicitly: tried, reported if unreadable
    expect(() => collectImages([join(root, 'missing.png')])).toThrow(/--images: '.*missing.png' does not exist/);
    expect(() => collectImages([`${root}/*.gif`])).toThrow(/matches no image files/);
    expect(globToRegExp('/p/**/*.jpg').test('/p/q/r/s.jpg')).toBe(true);
    expect(globToRegExp('/p/**/*.jpg').test('/p/s.jpg')).toBe(true);
    expect(globToRegExp('/p/*.jpg').test('/p/q/s.jpg')).toBe(false);
    expect(globToRegExp('/p/img-?.[pj]*').test('/p/img-1.png')).toBe(true);
  });
});

describe('--out is checked before any work', () => {
  it('rejects files, /dev/null and /proc at once, and makes missing folders', () => {
    expect(() => prepareOutDir('/dev/null')).toThrow(/--out '\/dev\/null': '\/dev\/null' exists and is not a folder/);
    expect(() => prepareOutDir('/dev/null/x')).toThrow(/is not a folder/);
    expect(() => prepareOutDir('/proc/x/y')).toThrow(/--out '\/proc\/x\/y' is not a writable folder/);
    const root = mkdtempSync(join(tmpdir(), 'webxai-out-'));
    expect(prepareOutDir(join(root, 'a/b/c'))).toBe(join(root, 'a/b/c'));
  });
});

describe('predictions and targets', () => {
  it('softmaxes logits, keeps probabilities, and resolves predicted / index / label', () => {
    expect(Array.from(toProbabilities(Float32Array.of(0.2, 0.8)))).toEqual([Math.fround(0.2), Math.fround(0.8)]);
    const p = toProbabilities(Float32Array.of(0, Math.log(3)));
    expect(p[0]).toBeCloseTo(0.25, 6);
    const labels = ['cat', 'dog'];
    expect(topClasses(p, labels, 1)).toEqual([{ index: 1, label: 'dog', probability: p[1] }]);
    expect(resolveTarget('predicted', p, labels)).toBe(1);
    expect(resolveTarget('0', p, labels)).toBe(0);
    expect(resolveTarget('cat', p, labels)).toBe(0);
    expect(() => resolveTarget('2', p, labels)).toThrow(/--target 2: the model has 2 classes \(0..1\)/);
    expect(() => resolveTarget('cow', p, labels)).toThrow(/--target 'cow' is not a label; labels: cat, dog/);
  });
});
