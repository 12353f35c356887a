// SPDX-License-Identifier: Apache-2.0
// A finite input whose activations or gradients come out NaN or Inf (a NaN in the model's weights, a
// preprocess step that makes NaN, an activation that overflows f32) is a ModelError on every CAM
// method and option path, on webgpu and cpu alike: never an all-zero map (webgpu: the ReLU and the
// min/max hide a NaN) nor a NaN map (cpu). Nothing leaks; finite inputs keep their readbacks (the
// readback-count tests pin them).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { disposeWeights, tinyCnn, tinyCnnWeights, type TinyCnnWeights } from '@webxai/testing/models';
import { liveBufferCount, ModelError } from '@webxai/shaders';
import { disposeResult } from '../api/dispose-result.js';
import { explain } from '../api/explain.js';
import { flushTfjs, tfjsDevice, tfjsUsedBufferCount } from '../interop/tfjs-webgpu.js';
import type { CamMethodName } from './types.js';

const CAM_METHODS: readonly CamMethodName[] = [
  'grad-cam',
  'grad-cam++',
  'score-cam',
  'ablation-cam',
  'eigen-cam',
  'layer-cam',
  'hires-cam',
  'xgrad-cam',
];

const memory = (backend: string) => {
  if (backend !== 'webgpu') return { tensors: tf.memory().numTensors };
  flushTfjs();
  return { tensors: tf.memory().numTensors, tfjsBuffers: tfjsUsedBufferCount(), ours: liveBufferCount(tfjsDevice()) };
};

const nanPreprocess = (input: tf.Tensor4D) => tf.mul<tf.Tensor4D>(input, tf.scalar(Number.NaN));
/** Finite for a finite input, but beyond f32's range: the first conv's activations overflow to Inf. */
const overflowPreprocess = (input: tf.Tensor4D) => tf.mul<tf.Tensor4D>(tf.add(input, 1), tf.scalar(3e38));

const OPTION_PATHS = [
  {},
  { relu: false },
  { augSmooth: true },
  { eigenSmooth: true },
  { layer: ['conv1', 'conv2'] },
  { batchSize: 1 },
  { batchSize: 64 },
] as const;

describe.for(['webgpu', 'cpu'] as const)('CAM model faults (%s)', (backend) => {
  let fixture: Fixture;
  beforeAll(async () => {
    await tf.setBackend(backend);
    fixture = tinyFixture();
  });
  afterAll(() => disposeFixture(fixture));

  it.for(CAM_METHODS)('%s: NaN activations from preprocess -> ModelError on every option path; nothing leaks', async (method) => {
    const { model, x } = fixture;
    const paths = OPTION_PATHS.filter((o) => applies(method, o));
    await explain(model, x, { method, preprocess: nanPreprocess, ...paths[0] }).catch(() => undefined); // warm-up
    const before = memory(backend);
    for (const options of paths) {
      for (const target of [1, 'predicted'] as const) {
        const run = explain(model, x, { method, target, preprocess: nanPreprocess, ...options });
        await expect(run, `${JSON.stringify(options)} target ${target}`).rejects.toThrow(ModelError);
      }
    }
    expect(memory(backend)).toEqual(before);
  });

  it.for(CAM_METHODS)('%s: a NaN in the weights of the explained layer -> ModelError; nothing leaks', async (method) => {
    const broken = withNaNBias(fixture.weights, 'conv2');
    const { x } = fixture;
    const before = memory(backend);
    for (const target of [1, 'predicted'] as const) {
      await expect(explain(broken, x, { method, target })).rejects.toThrow(
        /layer 'conv2' are NaN or Inf.*image 0.*check the model's weights and the preprocess step/,
      );
    }
    expect(memory(backend)).toEqual(before);
    broken.dispose();
  });

  it.for(CAM_METHODS)('%s: activations that overflow to Inf -> ModelError naming the layer and the fix', async (method) => {
    const { model, x } = fixture;
    const before = memory(backend);
    for (const target of [1, 'predicted'] as const) {
      await expect(explain(model, x, { method, target, preprocess: overflowPreprocess })).rejects.toThrow(
        /layer 'conv2' are NaN or Inf.*image 0.*check the model's weights and the preprocess step/,
      );
    }
    expect(memory(backend)).toEqual(before);
  });

  it.for(CAM_METHODS)('%s: NaN scores from finite activations (a NaN output bias) -> ModelError', async (method) => {
    const broken = withNaNBias(fixture.weights, 'logits');
    const { x } = fixture;
    const before = memory(backend);
    const scoresError = new RegExp(`^${escaped(method)}: the model returned NaN or Inf scores for a finite input`);
    // A gradient CAM for a given class takes the closed-form gradient of the linear GAP + Dense tail,
    // which needs no scores (nor the bias): its map is the right one, nothing is wrong to report.
    const closedForm = !['score-cam', 'ablation-cam', 'eigen-cam'].includes(method);
    for (const target of [1, 'predicted'] as const) {
      const run = explain(broken, x, { method, target });
      if (closedForm && target === 1) disposeResult(await run);
      else await expect(run, `target ${target}`).rejects.toThrow(scoresError);
    }
    expect(memory(backend)).toEqual(before);
    broken.dispose();
  });
});

/** The tiny CNN of the lead's reproduction (8x8x3, 6 filters, 4 classes) and two images. */
interface Fixture {
  readonly weights: TinyCnnWeights;
  readonly model: tf.LayersModel;
  readonly x: tf.Tensor4D;
}

function tinyFixture(): Fixture {
  const weights = tinyCnnWeights({ height: 8, width: 8, channels: 3, filters: 6, classes: 4, seed: 95 });
  return { weights, model: tinyCnn('sequential', weights), x: tf.randomUniform<tf.Rank.R4>([2, 8, 8, 3], 0, 1, 'float32', 96) };
}

function disposeFixture({ weights, model, x }: Fixture): void {
  model.dispose();
  disposeWeights(weights);
  x.dispose();
}

/** The fixture's model with every bias of `layer` NaN (its own weights: the caller disposes it). */
function withNaNBias(weights: TinyCnnWeights, layer: 'conv2' | 'logits'): tf.LayersModel {
  const [kernel, bias] = weights[layer];
  const nanBias = tf.fill(bias.shape, Number.NaN);
  const model = tinyCnn('sequential', { ...weights, [layer]: [kernel, nanBias] });
  nanBias.dispose(); // setWeights copied it
  return model;
}

const escaped = (method: string) => method.replace(/\+/g, '\\+');

/** Whether an option path exists for a method (the others are InvalidOptionError, tested elsewhere). */
function applies(method: string, options: object): boolean {
  const eigen = method === 'eigen-cam';
  const batched = method === 'score-cam' || method === 'ablation-cam';
  if ('relu' in options || 'eigenSmooth' in options) return !eigen;
  if ('batchSize' in options) return batched;
  return true;
}
