// SPDX-License-Identifier: Apache-2.0
// Builds packages/models/fixtures/teachable-machine: a Teachable Machine image-model export in
// Teachable Machine's own format — model.json whose Sequential holds a nested Sequential feature
// extractor (MobileNet-like: conv, ReLU6, depthwise-separable blocks, global average pooling) and a
// nested Sequential dense head with softmax, weights.bin, and metadata.json with labels and imageSize —
// small (tens of KB) so tests stay fast. Like Teachable Machine, the base is frozen (seeded weights
// here, ImageNet MobileNet there) and only the head is trained, on centre-cropped [-1, 1] inputs: here
// on random crops and flips of the four committed photos, one class each.
// Usage (from packages/cli, after extract-fixtures.mjs): node scripts/make-teachable-machine.mjs
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';

const fixtures = new URL('../../models/fixtures/', import.meta.url).pathname;
const out = join(fixtures, 'teachable-machine');
const SIZE = 224;
const CLASSES = [
  ['cat', 'chelsea.png'],
  ['coffee', 'coffee.jpg'],
  ['astronaut', 'astronaut.jpg'],
  ['rocket', 'rocket.jpg'],
];
const CROPS_PER_CLASS = 24;

tf.enableProdMode();
await tf.setBackend('cpu');

// Seeded uniform [0, 1) (mulberry32), so the fixture is reproducible.
let state = 20261130;
const random = () => {
  state = (state + 0x6d2b79f5) | 0;
  let t = Math.imul(state ^ (state >>> 15), 1 | state);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
let seed = 1;
const init = () => tf.initializers.heNormal({ seed: seed++ });
// He for a depthwise kernel: each output sees 9 inputs (tfjs's fan-in would count 9 x channels).
const depthwiseInit = () => tf.initializers.randomNormal({ mean: 0, stddev: Math.sqrt(2 / 9), seed: seed++ });

function separable(filters, stride, name) {
  return [
    tf.layers.depthwiseConv2d({
      name: `${name}_depthwise`,
      kernelSize: 3,
      strides: stride,
      padding: 'same',
      useBias: false,
      depthwiseInitializer: depthwiseInit(),
    }),
    tf.layers.reLU({ name: `${name}_depthwise_relu`, maxValue: 6 }),
    tf.layers.conv2d({ name: `${name}_project`, filters, kernelSize: 1, padding: 'same', kernelInitializer: init() }),
    tf.layers.reLU({ name: `${name}_project_relu`, maxValue: 6 }),
  ];
}

const base = tf.sequential({
  name: 'sequential_1',
  layers: [
    tf.layers.conv2d({
      name: 'Conv1',
      inputShape: [SIZE, SIZE, 3],
      filters: 16,
      kernelSize: 3,
      strides: 2,
      padding: 'same',
      kernelInitializer: init(),
    }),
    tf.layers.reLU({ name: 'Conv1_relu', maxValue: 6 }),
    ...separable(24, 2, 'block_1'),
    ...separable(32, 2, 'block_2'),
    ...separable(64, 2, 'block_3'),
    ...separable(96, 1, 'block_4'),
    tf.layers.globalAveragePooling2d({ name: 'global_average_pooling2d_1' }),
  ],
});
const head = tf.sequential({
  name: 'sequential_3',
  layers: [
    tf.layers.dense({ name: 'dense_Dense1', inputShape: [96], units: 32, activation: 'relu', kernelInitializer: init() }),
    tf.layers.dense({ name: 'dense_Dense2', units: CLASSES.length, activation: 'softmax', useBias: false, kernelInitializer: init() }),
  ],
});

/** A random square crop (60..100% of the short side), maybe mirrored, at SIZE, in [-1, 1]. */
async function crop(file, centred) {
  const image = sharp(join(fixtures, 'photos', file));
  const { width, height } = await image.metadata();
  const side = Math.round(Math.min(width, height) * (centred ? 1 : 0.6 + 0.4 * random()));
  const left = centred ? Math.floor((width - side) / 2) : Math.floor(random() * (width - side + 1));
  const top = centred ? Math.floor((height - side) / 2) : Math.floor(random() * (height - side + 1));
  let pipeline = image.extract({ left, top, width: side, height: side }).resize(SIZE, SIZE).removeAlpha();
  if (!centred && random() < 0.5) pipeline = pipeline.flop();
  const raw = await pipeline.raw().toBuffer();
  return Float32Array.from(raw, (v) => (v / 255) * 2 - 1);
}

const pixels = [];
const labels = [];
for (const [index, [, file]] of CLASSES.entries()) {
  for (let i = 0; i < CROPS_PER_CLASS; i++) {
    pixels.push(await crop(file, i === 0));
    labels.push(index);
  }
}
const images = tf.tensor4d(Float32Array.from(pixels.flatMap((p) => Array.from(p))), [pixels.length, SIZE, SIZE, 3]);
const features = base.predict(images);
// Teachable Machine trains the head on the frozen base's features.
head.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
const history = await head.fit(features, tf.oneHot(tf.tensor1d(labels, 'int32'), CLASSES.length), {
  epochs: 60,
  batchSize: 32,
  shuffle: true,
  verbose: 0,
});
console.log(`head trained: loss ${history.history.loss.at(-1).toFixed(4)}, accuracy ${history.history.acc.at(-1)}`);

const model = tf.sequential({ name: 'sequential_4', layers: [base, head] });
const centred = tf.tensor4d(Float32Array.from(CLASSES.flatMap((_, i) => Array.from(pixels[i * CROPS_PER_CLASS]))), [
  CLASSES.length,
  SIZE,
  SIZE,
  3,
]);
console.log('centre crops →', (await model.predict(centred).argMax(1).data()).join(','));

mkdirSync(out, { recursive: true });
await model.save(
  tf.io.withSaveHandler(async (artifacts) => {
    const { modelTopology, weightSpecs, weightData, format, generatedBy, convertedBy } = artifacts;
    writeFileSync(
      join(out, 'model.json'),
      JSON.stringify({
        modelTopology,
        format,
        generatedBy,
        convertedBy,
        weightsManifest: [{ paths: ['./weights.bin'], weights: weightSpecs }],
      }),
    );
    writeFileSync(join(out, 'weights.bin'), Buffer.from(weightData));
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }),
);
const metadata = {
  tfjsVersion: tf.version.tfjs,
  tmVersion: '2.4.10',
  packageVersion: '0.8.4-alpha2',
  packageName: '@teachablemachine/image',
  timeStamp: '2026-11-30T00:00:00.000Z',
  userMetadata: {},
  modelName: 'tm-my-image-model',
  labels: CLASSES.map(([label]) => label),
  imageSize: SIZE,
};
writeFileSync(join(out, 'metadata.json'), JSON.stringify(metadata));
console.log(`wrote ${out}`);
