// SPDX-License-Identifier: Apache-2.0
// Gradient explainers on a real tfjs-converter GraphModel: nsfwjs@4.3.0's mobilenet_v2_mid
// (packages/models/fixtures/nsfwjs-mobilenet-v2-mid: MobileNetV2 at 224x224x3 whose convolutions
// are _FusedConv2D / FusedDepthwiseConv2dNative nodes with BiasAdd + Relu6, or linear), beside
// tfjs's own bare passes (tf.grad of the same GraphModel.execute over the same images) and webxai's
// bare pass (core's targetGradients, the unavoidable passes of the other gradient suites),
// interleaved per round. The first ratio shows what webxai's gradient passes (filter and bias
// gradients skipped; core/src/model/fused-relu-graph.ts, flag WEBXAI_FUSED_RELU_LAYERS) save
// against tfjs running the graph as it is; the second, the method's overhead over its passes.
import { readFile } from 'node:fs/promises';
import type * as tfNamespace from '@tensorflow/tfjs';
import type { BenchSuite, SuiteInstance, BenchContext } from '../harness.js';
import { medianOf, medianPairedRatio, msUntilSettled, RunRecorder, webgpuTfjs } from './shared.js';

type Tf = typeof tfNamespace;

/** The fixture's folder (src/suites and dist/suites are both three levels below packages/). */
const GRAPH_FIXTURE = new URL('../../../models/fixtures/nsfwjs-mobilenet-v2-mid/', import.meta.url);

/** webxai's flag for these nodes (core/src/model/fused-relu-layers.ts); --tfjs-flags '{"WEBXAI_FUSED_RELU_LAYERS":false}' turns it off. */
const FUSED_FLAG = 'WEBXAI_FUSED_RELU_LAYERS';

/** IG's steps: 2 images a pass (0.3-0.8 s each forward + backward on lavapipe) keep the suite under a minute. */
const STEPS = 2;

/** Loads the fixture as a tf.GraphModel from disk (tfjs has no file loader without tfjs-node). */
async function loadGraphFixture(tf: Tf): Promise<tfNamespace.GraphModel> {
  const json = JSON.parse(await readFile(new URL('model.json', GRAPH_FIXTURE), 'utf8')) as {
    modelTopology: object;
    weightsManifest: tfNamespace.io.WeightsManifestConfig;
  };
  const paths = json.weightsManifest.flatMap((group) => group.paths);
  const weights = Buffer.concat(await Promise.all(paths.map((path) => readFile(new URL(path, GRAPH_FIXTURE)))));
  const weightData = weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength);
  const weightSpecs = json.weightsManifest.flatMap((group) => group.weights);
  return tf.loadGraphModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs, weightData, format: 'graph-model' }));
}

async function setupGraphGradientSuite(context: BenchContext): Promise<SuiteInstance> {
  const { tf, core, settle } = await webgpuTfjs(context);
  const model = await loadGraphFixture(tf);
  const x = tf.randomUniform<tfNamespace.Rank.R4>([1, 224, 224, 3], 0, 1, 'float32', 7);
  const scores = model.predict(x) as tfNamespace.Tensor;
  const target = (await tf.argMax(scores, 1).data())[0]!;
  scores.dispose();
  // The bare passes run over the very batch IG builds, plus IG's forward over f(input), f(baseline).
  const { alphas } = core.integrationRule('gauss-legendre', STEPS);
  const igBatch = tf.tidy<tfNamespace.Tensor4D>(() =>
    tf.mul(tf.tile(x, [STEPS, 1, 1, 1]), tf.tensor4d(Float32Array.from(alphas), [STEPS, 1, 1, 1])),
  );
  const igEnds = tf.tidy(() => tf.concat([x, tf.zerosLike(x)]));
  /** tfjs's own gradient of the target score through GraphModel.execute, as a user would write it. */
  const tfjsGrad = tf.grad((input: tfNamespace.Tensor) => tf.sum(tf.gather(model.execute(input) as tfNamespace.Tensor, [target], 1)));
  const ig = core.createExplainer(model, { target, method: 'integrated-gradients', steps: STEPS, batchSize: STEPS });
  const saliency = core.createExplainer(model, { target, method: 'saliency' });

  const adapter = core.adaptModel(model);
  const names = {
    bareIg: `bare tf.grad(GraphModel.execute) over IG's ${STEPS} points + f(input), f(baseline)`,
    webxaiBareIg: `webxai's bare pass (targetGradients) over IG's ${STEPS} points + f(input), f(baseline)`,
    ig: `integrated-gradients ${STEPS} steps, one batch`,
    bareSaliency: 'bare tf.grad(GraphModel.execute) of 1 image',
    webxaiBareSaliency: "webxai's bare pass (targetGradients) of 1 image",
    saliency: 'saliency',
  };
  const times = new RunRecorder();
  const pairs: [string, () => Promise<void>][] = [
    [names.bareIg, () => Promise.resolve(tf.dispose([tfjsGrad(igBatch), model.predict(igEnds) as tfNamespace.Tensor]))],
    [
      names.webxaiBareIg,
      () => Promise.resolve(tf.dispose([core.targetGradients(adapter, igBatch, [target]), model.predict(igEnds) as tfNamespace.Tensor])),
    ],
    [names.ig, async () => (await ig.explain(x)).attribution.dispose()],
    [names.bareSaliency, () => Promise.resolve(tfjsGrad(x).dispose())],
    [names.webxaiBareSaliency, () => Promise.resolve(core.targetGradients(adapter, x, [target]).dispose())],
    [names.saliency, async () => (await saliency.explain(x)).attribution.dispose()],
  ];
  const m = (name: string) => medianOf(times, name);
  const ratioLine = ([method, bare]: [string, string], label: string) =>
    `  ${label} = ${(m(method) / m(bare)).toFixed(3)}x (${m(method).toFixed(0)} / ${m(bare).toFixed(0)} ms); median paired ratio ${medianPairedRatio(times.timed(method), times.timed(bare)).toFixed(3)}x over ${times.timed(method).length} rounds`;
  return {
    cases: [
      {
        name: `interleaved: tfjs / webxai bare ${STEPS}, IG ${STEPS} steps, tfjs / webxai bare 1, saliency`,
        // 1 warm-up + 7 rounds of 5-10 s each on lavapipe (load 3-9): 3 rounds left the medians to one slow
        // run, and at 5 one slow IG round still moved the ratio of medians (1.183x against paired 0.965x, session 44).
        policy: { warmupRuns: 1, minRuns: 7, maxRuns: 7, budgetMs: 0 },
        run: async () => {
          for (const [name, work] of pairs) times.record(name, await msUntilSettled(work, settle));
        },
        metrics: () => Object.fromEntries(pairs.map(([name]) => [`${name} median ms`, m(name)])),
      },
    ],
    dispose() {
      const flag = tf.env().getBool(FUSED_FLAG) ? 'on' : 'off';
      // A filter may have left the case out.
      if (times.timed(names.ig).length > 0)
        console.log(
          [
            `gradient-graph summary (nsfwjs mobilenet_v2_mid GraphModel, 224x224x3, ${FUSED_FLAG} ${flag}):`,
            ratioLine([names.ig, names.bareIg], `IG ${STEPS} steps / tfjs bare tf.grad`),
            ratioLine([names.ig, names.webxaiBareIg], `IG ${STEPS} steps / webxai bare pass (bound 1.15x)`),
            ratioLine([names.saliency, names.bareSaliency], 'saliency / tfjs bare tf.grad'),
            ratioLine([names.saliency, names.webxaiBareSaliency], 'saliency / webxai bare pass (bound 1.15x)'),
            ratioLine([names.webxaiBareIg, names.bareIg], `webxai bare pass / tfjs bare tf.grad, ${STEPS} images`),
          ].join('\n'),
        );
      ig.dispose();
      saliency.dispose();
      tf.dispose([x, igBatch, igEnds]);
      model.dispose();
    },
  };
}

/** Saliency and IG through a real GraphModel (MobileNetV2-224, fused Relu6 nodes) vs tfjs's tf.grad of it. */
export const gradientGraphSuite: BenchSuite = {
  name: 'gradient-graph',
  fullOnly: true, // ~1 min on a software GPU; gradient-small covers the methods in --quick
  description: `saliency / IG ${STEPS} steps on nsfwjs's MobileNetV2 GraphModel (224x224) vs tfjs's tf.grad of GraphModel.execute over the same images; ~1 min on a software GPU`,
  setup: setupGraphGradientSuite,
};
