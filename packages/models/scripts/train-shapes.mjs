// SPDX-License-Identifier: Apache-2.0
// Trains the shipped shapes CNN on images of the seeded shapes generator (src/shapes) and writes
// src/shapes/shapes-cnn.generated.ts: topology, weights, held-out accuracy and the exact split.
// Every training image is fresh (seed TRAIN_SEED, images 0 .. EPOCHS * PER_EPOCH - 1, each seen once),
// so nothing is memorised; the held-out images come from another seed and are never trained on.
// Run: pnpm --filter @webxai/models train:shapes   (see README.md for the time it takes)
// Env: TRAIN_BACKEND (webgpu | cpu), EPOCHS, PER_EPOCH, LEARNING_RATE; CONTINUE=1 trains the shipped model EPOCHS more
// epochs on the next fresh images (and writes the combined split).
import { fitOneEpoch, modelArtifacts } from './training.mjs';
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';
import { runnerImport } from 'vite';
const require = createRequire(import.meta.url);
const tf = require('@tensorflow/tfjs');
// The generator is TypeScript: load it (and @webxai/shaders' source) through Vite's module runner.
const conditions = ['@webxai/source', 'module', 'node', 'import', 'default'];
const { module: shapes } = await runnerImport(new URL('../src/shapes/shapes.ts', import.meta.url).pathname, {
  configFile: false,
  logLevel: 'error',
  resolve: { conditions },
  ssr: { resolve: { conditions } },
});
// Dawn as navigator.gpu, then the webgpu backend (lavapipe trains small convnets faster than tfjs's cpu kernels).
const { create, globals } = await import('webgpu');
Object.assign(globalThis, globals);
Object.defineProperty(globalThis, 'navigator', { value: { gpu: create([]) }, configurable: true, writable: true });
await import('@tensorflow/tfjs-backend-webgpu');
tf.enableProdMode();
await tf.setBackend(process.env.TRAIN_BACKEND ?? 'webgpu');

const { SHAPES_SIZE: SIZE, SHAPES_LABELS: LABELS } = shapes;
const EPOCHS = Number(process.env.EPOCHS ?? 8),
  PER_EPOCH = Number(process.env.PER_EPOCH ?? 2000),
  BATCH = 32;
const TRAIN_SEED = 1,
  HELD_OUT_SEED = 2,
  HELD_OUT = 1000;
// Adam's step, decayed per epoch of this run (a continued run restarts the schedule at LEARNING_RATE).
const LEARNING_RATE = Number(process.env.LEARNING_RATE ?? 0.005),
  DECAY = 0.75;

const batchOf = (seed, count, first) => {
  const set = shapes.shapesSet(seed, count, first);
  return {
    x: tf.tensor4d(set.images, [count, SIZE, SIZE, 3]),
    y: tf.oneHot(tf.tensor1d(set.labels, 'int32'), LABELS.length),
    labels: set.labels,
  };
};

// conv1 halves the resolution at once (stride 2) to keep training and Grad-CAM cheap; conv3 (16 x 16)
// is the layer to explain: one CAM cell per 4 x 4 pixels.
const init = (seed) => tf.initializers.heNormal({ seed });
const model = tf.sequential({
  name: 'shapes_cnn',
  layers: [
    tf.layers.conv2d({
      name: 'conv1',
      inputShape: [SIZE, SIZE, 3],
      filters: 8,
      kernelSize: 3,
      strides: 2,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: init(1),
    }),
    tf.layers.maxPooling2d({ name: 'pool1', poolSize: 2 }),
    tf.layers.conv2d({ name: 'conv2', filters: 16, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init(2) }),
    tf.layers.conv2d({ name: 'conv3', filters: 32, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init(3) }),
    tf.layers.globalAveragePooling2d({ name: 'gap' }),
    tf.layers.dense({ name: 'logits', units: LABELS.length, kernelInitializer: init(4) }),
  ],
});
// Each image has its own random background colour, which swamps a randomly initialised conv1 (a
// first run sat at chance for 2 epochs). Kernels that sum to zero over space, per input channel,
// answer only to edges and texture, not to a flat colour: start conv1 there.
const conv1 = model.getLayer('conv1');
const [kernel1, bias1] = conv1.getWeights();
conv1.setWeights([tf.tidy(() => kernel1.sub(kernel1.mean([0, 1], true))), bias1]);
const GENERATED = new URL('../src/shapes/shapes-cnn.generated.ts', import.meta.url);
/** Weights and split of the generated file, to continue training it. */
async function continueFromGenerated() {
  const text = readFileSync(GENERATED, 'utf8');
  const constant = (name) => text.match(new RegExp(`export const ${name}[^=]*= (.*?)(?: as const)?;\\n`))[1];
  const previous = await tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: JSON.parse(constant('SHAPES_CNN_TOPOLOGY')),
      weightSpecs: JSON.parse(constant('SHAPES_CNN_WEIGHT_SPECS')),
      weightData: new Uint8Array(Buffer.from(constant('SHAPES_CNN_WEIGHTS_BASE64').slice(1, -1), 'base64')).buffer,
    }),
  );
  model.setWeights(previous.getWeights());
  previous.dispose();
  return JSON.parse(constant('SHAPES_CNN_SPLIT')).train.count / PER_EPOCH;
}
const doneEpochs = process.env.CONTINUE ? await continueFromGenerated() : 0;

const optimizer = tf.train.adam(LEARNING_RATE);
model.compile({ optimizer, loss: (y, p) => tf.losses.softmaxCrossEntropy(y, p), metrics: ['accuracy'] });
const heldOut = batchOf(HELD_OUT_SEED, HELD_OUT, 0);
const accuracyOn = async (set) => {
  const predicted = tf.tidy(() => tf.argMax(model.predict(set.x, { batchSize: 100 }), 1));
  const hits = (await predicted.data()).filter((p, i) => p === set.labels[i]).length;
  predicted.dispose();
  return hits / set.labels.length;
};
console.log(
  `${model.countParams()} parameters; ${EPOCHS} x ${PER_EPOCH} fresh training images (seed ${TRAIN_SEED}), ${HELD_OUT} held-out (seed ${HELD_OUT_SEED}); ${tf.getBackend()}`,
);
const started = Date.now();
const seconds = () => ((Date.now() - started) / 1000).toFixed(0);
for (let epoch = doneEpochs; epoch < doneEpochs + EPOCHS; epoch++) {
  const train = batchOf(TRAIN_SEED, PER_EPOCH, epoch * PER_EPOCH);
  optimizer.learningRate = LEARNING_RATE * DECAY ** (epoch - doneEpochs);
  const history = await fitOneEpoch(model, train.x, train.y, { batchSize: BATCH, logEvery: 20, seconds });
  tf.dispose([train.x, train.y]);
  const accuracy = await accuracyOn(heldOut);
  console.log(
    `epoch ${epoch + 1}: loss ${history.history.loss[0].toFixed(4)} acc ${history.history.acc[0].toFixed(4)} held-out ${(accuracy * 100).toFixed(2)}% (${seconds()} s)`,
  );
  await writeGenerated(accuracy, epoch + 1);
}
console.log(`trained in ${seconds()} s`);
process.exit(0);

/** Writes the model as it is after `epochs` epochs (a run cut short keeps its last finished epoch). */
async function writeGenerated(accuracy, epochs) {
  const artifacts = await modelArtifacts(tf, model);
  const split = {
    train: { seed: TRAIN_SEED, first: 0, count: epochs * PER_EPOCH },
    heldOut: { seed: HELD_OUT_SEED, first: 0, count: HELD_OUT },
  };
  const out = `// SPDX-License-Identifier: Apache-2.0
// GENERATED by scripts/train-shapes.mjs — do not edit. Shapes CNN (conv1 stride 2-pool1-conv2-conv3-gap-logits,
// ${model.countParams()} parameters, logits output), trained on ${split.train.count} generated images (each once) in
// ${epochs} epochs${doneEpochs ? ` (the last ${epochs - doneEpochs} continued from a ${doneEpochs}-epoch run, Adam restarted at ${LEARNING_RATE})` : ''} on ${tf.getBackend()}: held-out accuracy ${(accuracy * 100).toFixed(2)}% on ${HELD_OUT} images of seed ${HELD_OUT_SEED}.
export const SHAPES_CNN_ACCURACY = ${accuracy};
export const SHAPES_CNN_SPLIT = ${JSON.stringify(split)} as const;
export const SHAPES_CNN_TOPOLOGY: unknown = ${JSON.stringify(artifacts.modelTopology)};
export const SHAPES_CNN_WEIGHT_SPECS = ${JSON.stringify(artifacts.weightSpecs)} as const;
export const SHAPES_CNN_WEIGHTS_BASE64 = '${Buffer.from(new Uint8Array(artifacts.weightData)).toString('base64')}';
`;
  writeFileSync(GENERATED, out);
  console.log(`wrote src/shapes/shapes-cnn.generated.ts (${out.length} bytes)`);
}
