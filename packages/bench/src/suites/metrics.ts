// SPDX-License-Identifier: Apache-2.0
// Faithfulness metrics (issue 9): deletion + insertion with 100 steps on MobileNetV2-224 against the
// bare forward passes over the very same 200 perturbed images (bound: 1.1x), with tfjs on the webgpu
// backend (Dawn) and with ONNX Runtime (onnxruntime-node, CPU EP) as a black box. Each pair runs
// interleaved in one case (bare, then metric), so load from other processes hits both sides alike.
import type * as tfNamespace from '@tensorflow/tfjs';
import type { BenchCase, BenchContext, BenchSuite, RunPolicy, SuiteInstance } from '../harness.js';
import { median, webgpuTfjs } from './shared.js';

async function setupMetrics({ quick }: BenchContext): Promise<SuiteInstance> {
  const { tf, core, settle } = await webgpuTfjs();
  const shaders = await import('@webxai/shaders');
  const testing = await import('@webxai/testing/models');
  const ort = await import('onnxruntime-node');

  // --quick: a 32x32 tiny CNN and 10 steps (seconds); full: MobileNetV2-224 and 100 steps.
  // XAI_METRICS_BENCH_STEPS overrides the step count (a shorter run on a loaded software GPU).
  const size = quick ? 32 : 224;
  const override = Number(process.env.XAI_METRICS_BENCH_STEPS);
  const steps = Number.isInteger(override) && override > 0 ? override : quick ? 10 : 100;
  const tfModel = quick
    ? testing.tinyCnn('sequential', testing.tinyCnnWeights({ height: size, width: size, channels: 3, filters: 8, classes: 10, seed: 1 }))
    : testing.mobileNetV2({ size, classes: 1000, seed: 2 });
  const tfLabel = quick ? `tfjs tiny-cnn ${size}` : `tfjs mnv2-${size}`;
  const session = await ort.InferenceSession.create(testing.mobileNetV2Onnx({ size, classes: 1000, seed: 2 }));
  const onnx = core.fromOnnx(session, { layout: 'nchw', Tensor: ort.Tensor });
  const onnxLabel = `onnx mnv2-${size}`;
  const x = tf.randomUniform([1, size, size, 3], 0, 1, 'float32', 7) as tfNamespace.Tensor4D;
  const attribution = tf.randomNormal([1, size, size], 0, 1, 'float32', 8) as tfNamespace.Tensor3D;
  const pixels = size * size;
  const perImage = pixels * 3;
  // ONNX: evaluate's default batch (64 MB of input, at most 64 images). tfjs: 16, as the other
  // MobileNetV2 benches (a 64-image batch's activations exceed WebGPU's 128 MB binding limit).
  const onnxBatch = Math.min(64, Math.floor((64 * 2 ** 20) / (perImage * 4)));
  const tfBatch = 16;

  // The 2 * steps images the metrics evaluate (deletion k = 1..steps, insertion k = 0..steps - 1),
  // built with the kernels' CPU references, in the metrics' batches.
  const image = (await x.data()) as Float32Array;
  const map = (await attribution.data()) as Float32Array;
  const ranks = new Uint32Array(pixels);
  Array.from({ length: pixels }, (_, i) => i)
    .sort((a, b) => map[b]! - map[a]! || a - b)
    .forEach((p, r) => (ranks[p] = r));
  const fill = new Float32Array(perImage);
  const perturbedBatches = (batchSize: number) => {
    const batches: Float32Array[] = [];
    for (const [mode, first] of [['deletion', 1], ['insertion', 0]] as const) {
      for (let start = 0; start < steps; start += batchSize) {
        const count = Math.min(batchSize, steps - start);
        const masks = shaders.rankedMasksRef(mode, ranks, steps, first + start, count);
        batches.push(shaders.perturbBatchRef({ image, fill, masks, maskStride: pixels, pixels, channels: 3, count }));
      }
    }
    return batches;
  };
  const tfBatches = perturbedBatches(tfBatch).map((b) => tf.tensor4d(b, [b.length / perImage, size, size, 3]));
  const nchwBatches = perturbedBatches(onnxBatch).map((b) => core.nhwcToNchw(b, b.length / perImage, pixels, 3));

  const times = new Map<string, number[]>();
  const record = (name: string, ms: number) => times.set(name, [...(times.get(name) ?? []), ms]);
  const timed = async (name: string, work: () => Promise<void>) => {
    const start = performance.now();
    await work();
    await settle();
    record(name, performance.now() - start);
  };
  const metricsOf = async (label: string, model: unknown, batchSize: number) => {
    for (const metric of ['deletion', 'insertion'] as const) {
      const r = await core.evaluate(model as never, x, attribution, { metric, steps, target: 0, batchSize });
      record(`${label} ${metric}`, r.timeMs);
    }
  };

  const pair = (label: string, bare: () => Promise<void>, model: unknown, batchSize: number, policy: Partial<RunPolicy>): BenchCase => ({
    name: `interleaved: ${label} bare forward over ${2 * steps} images, then deletion + insertion (${steps} steps)`,
    elements: 2 * steps,
    policy,
    run: async () => {
      await timed(`${label} bare`, bare);
      await timed(`${label} metrics`, () => metricsOf(label, model, batchSize));
      const [b, m] = [times.get(`${label} bare`)!.at(-1)!, times.get(`${label} metrics`)!.at(-1)!];
      console.log(`  ${label}: bare ${(b / 1000).toFixed(2)} s, deletion + insertion ${(m / 1000).toFixed(2)} s, ratio ${(m / b).toFixed(3)} (this run)`);
    },
    metrics: () => ({
      ratio: median(times.get(`${label} metrics`)?.slice(1) ?? []) / median(times.get(`${label} bare`)?.slice(1) ?? []),
      bareMs: median(times.get(`${label} bare`) ?? []),
      metricsMs: median(times.get(`${label} metrics`) ?? []),
      deletionMs: median(times.get(`${label} deletion`) ?? []),
      insertionMs: median(times.get(`${label} insertion`) ?? []),
    }),
  });

  const tfBare = async () => {
    for (const batch of tfBatches) {
      const y = tfModel.predict(batch) as tfNamespace.Tensor;
      await y.data();
      y.dispose();
    }
  };
  const onnxBare = async () => {
    for (const batch of nchwBatches) await onnx.predictNchw!(batch, [batch.length / perImage, size, size, 3]);
  };
  // The first run of each pair warms up (pipelines for each batch shape) and is dropped from the medians.
  const cases = [
    pair(onnxLabel, onnxBare, onnx, onnxBatch, quick ? { warmupRuns: 1, minRuns: 2, maxRuns: 2, budgetMs: 0 } : { warmupRuns: 1, minRuns: 3, maxRuns: 3, budgetMs: 0 }),
    pair(tfLabel, tfBare, tfModel, tfBatch, quick ? { warmupRuns: 1, minRuns: 2, maxRuns: 2, budgetMs: 0 } : { warmupRuns: 1, minRuns: 1, maxRuns: 1, budgetMs: 0 }),
  ];
  const dropWarmups = (name: string) => times.get(name)?.slice(1) ?? [];

  return {
    cases,
    async dispose() {
      const lines = [`metrics summary (${steps} steps, ${2 * steps} perturbed images per side, medians of the timed runs, warm-up dropped):`];
      for (const label of [onnxLabel, tfLabel]) {
        const bare = median(dropWarmups(`${label} bare`));
        const metrics = median(dropWarmups(`${label} metrics`));
        if (Number.isNaN(bare)) continue;
        const ratio = metrics / bare;
        lines.push(
          `  ${label}: deletion + insertion ${(metrics / 1000).toFixed(2)} s / bare forward ${(bare / 1000).toFixed(2)} s = ${ratio.toFixed(3)}x ` +
            `(bound 1.1x: ${ratio <= 1.1 ? 'holds' : 'DOES NOT HOLD'}); deletion ${(median(dropWarmups(`${label} deletion`)) / 1000).toFixed(2)} s, ` +
            `insertion ${(median(dropWarmups(`${label} insertion`)) / 1000).toFixed(2)} s`,
        );
      }
      console.log(lines.join('\n'));
      tf.dispose([x, attribution, ...tfBatches]);
      tfModel.dispose();
      await session.release();
    },
  };
}

/** Deletion + insertion vs the bare forward passes over the same images, tfjs-webgpu and ONNX Runtime. */
export const metricsSuite: BenchSuite = {
  name: 'metrics',
  description: 'deletion + insertion (100 steps) on MobileNetV2-224 vs the bare forward passes over the same 200 images, tfjs-webgpu and onnxruntime-node, interleaved (bound 1.1x); ~10 min on a software GPU',
  setup: setupMetrics,
};
