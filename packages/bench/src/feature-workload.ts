// SPDX-License-Identifier: Apache-2.0
// visualizeFeature and the bare forward + backward passes its optimisation cannot avoid, over the
// same model, layer and channels: what the Node features suite and the browser page time side by
// side. The bare passes are core's featureObjectivePass: visualizeFeature's own model + objective
// pass (its fused relu layers, its seeded objective gradient), on a [channels, h, w, c] batch at the
// model's input size, once per step, and one forward pass of the batch for the objective on the final
// images that visualizeFeature returns (finalObjective; as the browser bench counts IG's f(input),
// f(baseline)): a third of a step, 8% of the bare time of a 4-step run, <1% of a 64-step one. So the
// ratio measures only visualizeFeature's own work (the FFT image, the transforms, Adam). The same
// passes written as tfjs would run them (tf.grad of the summed channel means, tfjs's unfused layers,
// the unused filter gradients skipped as visualizeFeature skips them) are kept as a reference
// (`bareTfGrad`). Every side only issues its GPU work: the caller waits for it (Node: the queue; the
// page: the queue or nothing on tfjs-cpu).
// tfjs and core come in as arguments: the Node suites import them only after Dawn is installed.
import type * as tfNamespace from '@tensorflow/tfjs';

type Tf = typeof tfNamespace;
/** The parts of @webxai/core the two sides use. */
type FeatureCore = Pick<typeof import('@webxai/core'), 'visualizeFeature' | 'skipUnneededFilterGradients' | 'featureObjectivePass'>;

/** Which units one visualisation optimises: channels 0 .. channels - 1 of `layer`, one image each. */
export interface FeatureUnits {
  readonly layer: string;
  readonly channels: number;
}

/** The two sides of one feature-visualisation comparison (dispose when done). */
export interface FeatureWorkload {
  /** One visualizeFeature run of `steps` steps (seed 1); resolves when its images are made (and disposed). */
  visualize(steps: number): Promise<void>;
  /** Issues `steps` of visualizeFeature's own forward + backward passes over the batch, then one forward pass. */
  bare(steps: number): void;
  /** The reference: `steps` passes as tfjs runs them (tf.grad of the summed channel means), then one forward pass. */
  bareTfGrad(steps: number): void;
  dispose(): void;
}

/**
 * The workload of `units` on `model` (whose input size is fixed).
 * @throws Error when the layer has fewer channels than `units` asks for (names both).
 */
export function featureWorkload(tf: Tf, core: FeatureCore, model: tfNamespace.LayersModel, units: FeatureUnits): FeatureWorkload {
  const { layer, channels } = units;
  const output = model.getLayer(layer).output as tfNamespace.SymbolicTensor;
  const depth = output.shape.at(-1)!;
  if (channels > depth) throw new Error(`feature bench: layer '${layer}' has ${depth} channels, the case asks for ${channels}`);
  const [, height, width, colours] = model.inputs[0]!.shape as number[];
  const head = tf.model({ inputs: model.inputs, outputs: output });
  const batch = tf.randomUniform<tfNamespace.Rank.R4>([channels, height!, width!, colours!], 0, 1, 'float32', 3);
  // Row i picks channel i: every image's objective is its own channel's mean, as visualizeFeature's.
  const mask = tf.tidy(() => tf.oneHot(tf.range(0, channels, 1, 'int32'), depth).toFloat());
  const unitList = Array.from({ length: channels }, (_, i) => i);
  const pass = core.featureObjectivePass(model, { layer, channels: unitList }, [height!, width!, colours!]);
  const objective = (x: tfNamespace.Tensor, skipFilterGradients: boolean) => {
    const activation = head.apply(x) as tfNamespace.Tensor;
    // As visualizeFeature: the filter gradients are not needed work.
    if (skipFilterGradients) core.skipUnneededFilterGradients([x]);
    return tf.sum(tf.mul(tf.mean(activation, [1, 2]), mask));
  };
  const gradient = tf.grad((x: tfNamespace.Tensor) => objective(x, true));
  return {
    visualize: async (steps) => (await core.visualizeFeature(model, { layer, channels: unitList, steps, seed: 1 })).images.dispose(),
    bare: (steps) => {
      for (let s = 0; s < steps; s++) tf.dispose(Object.values(pass.gradient(batch)));
      tf.dispose(pass.value(batch));
    },
    bareTfGrad: (steps) => {
      for (let s = 0; s < steps; s++) tf.dispose(gradient(batch));
      tf.dispose(tf.tidy(() => objective(batch, false)));
    },
    dispose: () => {
      tf.dispose([batch, mask]);
      pass.dispose();
    },
  };
}
