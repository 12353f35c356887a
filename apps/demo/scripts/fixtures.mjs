// SPDX-License-Identifier: Apache-2.0
// Test fixtures made at test time (nothing binary committed): a Teachable-Machine-style export of a
// tiny hand-set colour classifier (model.json + weights.bin + metadata.json), a GraphModel (the test
// zoo's tiny CNN written as a TF GraphDef: 16x16x3, 4 classes, seeded weights), the tiny CNN as a grey
// ONNX model, and a static server
// for them (with CORS) so the page can load the model by URL.
import { createServer } from 'node:http';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { disposeWeights, tinyCnnGraphModel, tinyCnnOnnx, tinyCnnWeights } from '@webxai/testing/models';

/**
 * A 32x32 RGB classifier with hand-set weights, fed [-1, 1] pixels as Teachable Machine does:
 * conv filter 0 fires on red pixels, filter 1 on blue ones (white and grey give 0), global average
 * pooling, then softmax over ["red", "blue"] of ±4·(red − blue). A red shape reads as "red", and
 * hiding it drops that class's probability.
 */
function colourModel() {
  const input = tf.input({ shape: [32, 32, 3] });
  const conv = tf.layers.conv2d({ filters: 2, kernelSize: 1, activation: 'relu', name: 'colour_conv' }).apply(input);
  const pooled = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(conv);
  const probs = tf.layers.dense({ units: 2, activation: 'softmax', name: 'probs' }).apply(pooled);
  const model = tf.model({ inputs: input, outputs: probs, name: 'colours' });
  // filter 0: R - (G + B) / 2 (red (1,-1,-1) -> 2, white -> 0, blue (-1,-1,1) -> -1); filter 1 mirrored for blue.
  model.getLayer('colour_conv').setWeights([tf.tensor4d([1, -0.5, -0.5, -0.5, -0.5, 1], [1, 1, 3, 2]), tf.zeros([2])]);
  model.getLayer('probs').setWeights([tf.tensor2d([4, -4, -4, 4], [2, 2]), tf.zeros([2])]);
  return model;
}

/** Writes model.json, weights.bin and metadata.json of the colour model into `dir`; returns their paths. */
export async function writeTeachableMachineExport(dir) {
  mkdirSync(dir, { recursive: true });
  tf.enableProdMode(); // no "running TensorFlow.js in Node" banner
  await tf.setBackend('cpu');
  const model = colourModel();
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const modelJson = {
        modelTopology: artifacts.modelTopology,
        format: 'layers-model',
        generatedBy: 'webxai demo e2e',
        convertedBy: null,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
      };
      writeFileSync(join(dir, 'model.json'), JSON.stringify(modelJson));
      writeFileSync(join(dir, 'weights.bin'), Buffer.from(artifacts.weightData));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  model.dispose();
  const metadata = {
    tfjsVersion: tf.version.tfjs,
    tmVersion: '2.4.10',
    packageName: '@teachablemachine/image',
    modelName: 'colours',
    labels: ['red', 'blue'],
    imageSize: 32,
  };
  writeFileSync(join(dir, 'metadata.json'), JSON.stringify(metadata));
  return ['model.json', 'weights.bin', 'metadata.json'].map((f) => join(dir, f));
}

/** Writes the tiny CNN as a GraphModel (model.json with format 'graph-model' + weights.bin) into `dir`. */
export async function writeGraphModel(dir) {
  mkdirSync(dir, { recursive: true });
  await tf.setBackend('cpu');
  const weights = tinyCnnWeights();
  const model = await tinyCnnGraphModel(weights);
  disposeWeights(weights);
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const modelJson = {
        format: 'graph-model',
        generatedBy: 'webxai demo e2e',
        convertedBy: null,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
      };
      writeFileSync(join(dir, 'model.json'), JSON.stringify(modelJson));
      writeFileSync(join(dir, 'weights.bin'), Buffer.from(artifacts.weightData));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  model.dispose();
}

/** Writes the tiny CNN as a grey (1-channel) NCHW ONNX model to `path`; returns the path. */
export function writeGreyOnnx(path) {
  writeFileSync(path, tinyCnnOnnx({ channels: 1 }, 'nchw'));
  return path;
}

/** Serves `root` on 127.0.0.1 (random port) with CORS; `/broken/model.json` is not JSON. Returns { url, close }. */
export async function serveFixtures(root) {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    res.setHeader('Access-Control-Allow-Origin', '*');
    if (path === '/broken/model.json') {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{ this is not JSON');
      return;
    }
    try {
      const body = readFileSync(join(root, path.replace(/\.\.+/g, '')));
      res.writeHead(200, { 'Content-Type': path.endsWith('.json') ? 'application/json' : 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(resolve)) };
}
