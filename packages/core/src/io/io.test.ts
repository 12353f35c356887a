// SPDX-License-Identifier: Apache-2.0
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { tinyCnn, tinyCnnGraphModel, tinyCnnWeights, disposeWeights, type TinyCnnWeights } from '@webxai/testing/models';
import {
  detectModelFormat,
  loadTfjsModel,
  modelImageShape,
  parseTeachableMachineMetadata,
  presetAffine,
  preprocessFunction,
  resizeGeometry,
} from './index.js';

async function artifactsOf(model: tf.LayersModel | tf.GraphModel): Promise<tf.io.ModelArtifacts> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler((a) => {
      saved = a;
      return Promise.resolve({ modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } });
    }),
  );
  return saved!;
}

describe('detectModelFormat', () => {
  it('reads the format field, else the topology', () => {
    expect(detectModelFormat({ format: 'graph-model', modelTopology: {} })).toBe('graph-model');
    expect(detectModelFormat({ format: 'layers-model' })).toBe('layers-model');
    expect(detectModelFormat({ modelTopology: { node: [], versions: {} } })).toBe('graph-model');
    expect(detectModelFormat({ modelTopology: { class_name: 'Sequential', config: {} } })).toBe('layers-model');
    expect(detectModelFormat({ modelTopology: { model_config: {} } })).toBe('layers-model');
  });
  it('names what it found when it is neither', () => {
    expect(() => detectModelFormat([])).toThrow(/expected a JSON object, got an array/);
    expect(() => detectModelFormat({ weights: 1 })).toThrow(/neither a tfjs layers model nor a graph model.*keys: weights/);
  });
});

describe('loadTfjsModel', () => {
  let weights: TinyCnnWeights;
  beforeAll(async () => {
    await tf.setBackend('cpu');
    weights = tinyCnnWeights({ height: 8, width: 8 });
  });
  afterAll(() => disposeWeights(weights));

  it('loads a LayersModel and a GraphModel from their artifacts, with the same outputs', async () => {
    const layers = tinyCnn('sequential', weights);
    const graph = await tinyCnnGraphModel(weights);
    const x = tf.randomUniform<tf.Rank.R4>([2, 8, 8, 3], 0, 1, 'float32', 3);
    const reference = layers.predict(x) as tf.Tensor;
    for (const original of [layers, graph]) {
      const loaded = await loadTfjsModel(tf.io.fromMemory(await artifactsOf(original)));
      expect(loaded.format).toBe(original === layers ? 'layers-model' : 'graph-model');
      expect(modelImageShape(loaded.model)).toEqual([8, 8, 3]);
      const y = loaded.format === 'layers-model' ? (loaded.model.predict(x) as tf.Tensor) : (loaded.model.predict(x) as tf.Tensor);
      expect(Array.from(await y.data())).toEqual(Array.from(await reference.data()).map((v): unknown => expect.closeTo(v, 5)));
      tf.dispose(y);
      loaded.model.dispose();
    }
    tf.dispose([x, reference]);
    layers.dispose();
    graph.dispose();
  });
});

describe('parseTeachableMachineMetadata', () => {
  it('takes labels and image size from a Teachable Machine metadata.json', () => {
    const json = { tfjsVersion: '1.3.1', tmVersion: '2.4.10', labels: ['Cat', 'Dog'], imageSize: 224, modelName: 'tm-my-image-model' };
    expect(parseTeachableMachineMetadata(json)).toEqual({
      labels: ['Cat', 'Dog'],
      imageSize: 224,
      modelName: 'tm-my-image-model',
      tmVersion: '2.4.10',
    });
  });
  it('names the bad field', () => {
    expect(() => parseTeachableMachineMetadata({ imageSize: 224 })).toThrow(/"labels" must be a non-empty array of strings/);
    expect(() => parseTeachableMachineMetadata({ labels: ['a'], imageSize: 0 })).toThrow(/"imageSize" must be a positive integer/);
    expect(() => parseTeachableMachineMetadata('x')).toThrow(/expected a JSON object/);
  });
});

describe('preprocess presets', () => {
  it('maps pixels in [0, 1] to the model range', () => {
    const at = (preset: Parameters<typeof presetAffine>[0], v: number, c = 0) => {
      const { scale, offset } = presetAffine(preset, 3);
      return v * scale[c]! + offset[c]!;
    };
    expect([at('unit', 0), at('unit', 1)]).toEqual([0, 1]);
    expect([at('signed', 0), at('signed', 0.5), at('signed', 1)]).toEqual([-1, 0, 1]);
    expect([at('raw', 0), at('raw', 1)]).toEqual([0, 255]);
    // ImageNet: the mean pixel maps to 0, mean + std to 1.
    expect(at('imagenet', 0.485, 0)).toBeCloseTo(0, 12);
    expect(at('imagenet', 0.406 + 0.225, 2)).toBeCloseTo(1, 12);
    expect(() => presetAffine('imagenet', 1)).toThrow(/needs an RGB model/);
    expect(() => presetAffine('bogus' as 'unit', 3)).toThrow(/valid: unit, signed, imagenet, raw/);
  });

  it('as a tfjs preprocess function, without leaks', async () => {
    await tf.setBackend('cpu');
    expect(preprocessFunction('unit', 3)).toBeUndefined();
    const f = preprocessFunction('imagenet', 3)!;
    const x = tf.tensor4d([0.485, 0.456, 0.406, 1, 1, 1], [1, 1, 2, 3]);
    const before = tf.memory().numTensors;
    const y = f(x);
    expect(tf.memory().numTensors).toBe(before + 1);
    const v = Array.from(await y.data());
    expect(v.slice(0, 3).map((n) => Math.abs(n) < 1e-6)).toEqual([true, true, true]);
    expect(v[3]).toBeCloseTo((1 - 0.485) / 0.229, 5);
    tf.dispose([x, y]);
  });
});

describe('resizeGeometry', () => {
  const square = { width: 224, height: 224 };
  it('crop keeps the centred square of a landscape or portrait image', () => {
    expect(resizeGeometry({ width: 400, height: 300 }, square, 'crop')).toEqual({
      source: { x: 50, y: 0, width: 300, height: 300 },
      target: { x: 0, y: 0, width: 224, height: 224 },
    });
    expect(resizeGeometry({ width: 300, height: 451 }, square, 'crop').source).toEqual({ x: 0, y: 75, width: 300, height: 300 });
  });
  it('fit letterboxes, fill stretches', () => {
    expect(resizeGeometry({ width: 400, height: 200 }, square, 'fit')).toEqual({
      source: { x: 0, y: 0, width: 400, height: 200 },
      target: { x: 0, y: 56, width: 224, height: 112 },
    });
    expect(resizeGeometry({ width: 400, height: 200 }, square, 'fill').target).toEqual({ x: 0, y: 0, width: 224, height: 224 });
  });
  it('never gives an empty rectangle, and rejects bad sizes and modes', () => {
    expect(resizeGeometry({ width: 10000, height: 1 }, square, 'fit').target).toEqual({ x: 0, y: 111, width: 224, height: 1 });
    expect(resizeGeometry({ width: 10000, height: 1 }, square, 'crop').source).toEqual({ x: 4999, y: 0, width: 1, height: 1 });
    expect(() => resizeGeometry({ width: 0, height: 5 }, square, 'crop')).toThrow(/source size must be positive integers, got 0x5/);
    expect(() => resizeGeometry(square, square, 'zoom' as 'crop')).toThrow(/valid: crop, fit, fill/);
  });
});
