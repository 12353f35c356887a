// SPDX-License-Identifier: Apache-2.0
// Infidelity's model calls: each image and its perturbed copies x - I_s, scored, with every I_s . a.
// The noise is drawn on the host from the seeded normal stream (the same numbers on every path); the
// host path writes x - I_s from the input's values, the GPU path has noise-points write it from the
// input tensor, so its batches need neither the input's values nor the attribution's.
import { invariant, noisePoints, runKernel } from '@webxai/shaders';
import { normalFill } from '../../random/normal-fill.js';
import { resolveTargetsOnHost } from '../../api/targets.js';
import { gpuBufferOf, tfjsDevice } from '../../interop/tfjs-webgpu.js';
import { GpuScope } from '../../perturbation/shared/gpu-scope.js';
import { scorePipelined, scoreWithOriginals, type ScoresWithOriginals } from '../shared/host-batches.js';
import { metricEnv } from '../shared/masked-batches.js';
import type { AttributionRead } from '../shared/attribution.js';
import type { MetricInputs, ReadingMetricInputs } from '../types.js';

/** The perturbations I_s ~ N(0, std^2) of every input value, `samples` per image, and their dot products with the attribution. */
export class Perturbations {
  readonly perImage: number;
  /** dots[i * samples + s] = I_s . a for image i, filled by {@link dot}. */
  readonly dots: Float64Array;

  constructor(
    readonly geometry: { readonly n: number; readonly height: number; readonly width: number; readonly channels: number },
    readonly samples: number,
    readonly std: number,
    readonly seed: number,
  ) {
    this.perImage = geometry.height * geometry.width * geometry.channels;
    this.dots = new Float64Array(geometry.n * samples);
  }

  /** I_s of image i (H * W * C values, HWC) into `out`: values (i * samples + s) * perImage onwards of the seed's stream. */
  draw(i: number, s: number, out: Float32Array): Float32Array {
    return normalFill(this.seed, (i * this.samples + s) * this.perImage, this.perImage, 0, this.std, out);
  }

  /** Records I_s . a for image i, `attribution` holding the attribution's values with C' = C or 1 channels (broadcast). */
  dot(i: number, s: number, noise: Float32Array, attribution: Float32Array, attributionChannels: number): void {
    const { height, width, channels } = this.geometry;
    const pixels = height * width;
    const offset = i * pixels * attributionChannels;
    let sum = 0;
    for (let p = 0; p < pixels; p++)
      for (let c = 0; c < channels; c++)
        sum += noise[p * channels + c]! * attribution[offset + p * attributionChannels + (attributionChannels === 1 ? 0 : c)]!;
    this.dots[i * this.samples + s] = sum;
  }
}

/**
 * The host path (a black box, the cpu backend): x - I_s written on the host from the input's values,
 * each I_s . a taken where its image is written (the same normals are not drawn twice).
 */
export async function scoreOnHost(method: string, inputs: MetricInputs, perturbations: Perturbations): Promise<ScoresWithOriginals> {
  const { perImage } = perturbations;
  const attributionChannels = inputs.attribution.shape[3];
  const noise = new Float32Array(perImage);
  const perturbed = new Float32Array(perImage);
  let drawn = 0;
  const derive = (i: number, s: number) => {
    perturbations.draw(i, s, noise);
    const image = inputs.inputValues!.subarray(i * perImage, (i + 1) * perImage);
    for (let v = 0; v < perImage; v++) perturbed[v] = image[v]! - noise[v]!;
    perturbations.dot(i, s, noise, inputs.attributionValues, attributionChannels);
    drawn++;
    return perturbed;
  };
  const scored = await scoreWithOriginals(method, inputs, perturbations.samples, derive);
  invariant(drawn === perturbations.dots.length, `${method}: ${drawn} perturbations written for ${perturbations.dots.length} samples`);
  return scored;
}

/**
 * The dot products I_s . a of the GPU path, whose noise is drawn before the attribution may have
 * landed: taken at once when it has, else the noise is kept until {@link settle}.
 */
class LateDots {
  #attribution: Float32Array | undefined;
  readonly #waiting: { i: number; s: number; noise: Float32Array }[] = [];

  constructor(
    private readonly perturbations: Perturbations,
    private readonly reading: Promise<AttributionRead>,
    private readonly attributionChannels: number,
  ) {
    void reading.then(
      (read) => (this.#attribution = read.values),
      () => undefined, // evaluate reports the readback's error
    );
  }

  /** I_s . a of image i, now or once the attribution has landed (`noise` is copied then). */
  take(i: number, s: number, noise: Float32Array): void {
    if (this.#attribution) this.perturbations.dot(i, s, noise, this.#attribution, this.attributionChannels);
    else this.#waiting.push({ i, s, noise: noise.slice() });
  }

  /** Every waiting dot product, once the attribution has landed. */
  async settle(): Promise<void> {
    const { values } = await this.reading;
    for (const { i, s, noise } of this.#waiting) this.perturbations.dot(i, s, noise, values, this.attributionChannels);
    this.#waiting.length = 0;
  }
}

/**
 * The GPU path: each batch row gets -I_s from the host (zeros for an original) and noise-points adds
 * the input image to it in place (sigma = noiseLevel * (max - min) = 1: the host's f32 subtraction).
 * Rows are sample-major, as noise-points reads them: row t is image t % n's original for t < n, else
 * its sample t / n - 1. The batches go out while the attribution is read back (LateDots).
 */
export async function scoreOnGpu(method: string, inputs: ReadingMetricInputs, perturbations: Perturbations): Promise<ScoresWithOriginals> {
  const { perImage, samples } = perturbations;
  const { n } = perturbations.geometry;
  const dots = new LateDots(perturbations, inputs.reading, inputs.attribution.shape[3]);
  const noise = new Float32Array(perImage);
  const device = tfjsDevice();
  const scope = new GpuScope(device);
  let scored: { scores: Float32Array; classes: number };
  try {
    // noise-points' per-image range: 0 .. 1 for every image, so sigma is 1.
    const minima = scope.upload(new Float32Array(n), `${method}.minima`);
    const maxima = scope.upload(new Float32Array(n).fill(1), `${method}.maxima`);
    let rows = new Float32Array(0);
    const write = (target: GPUBuffer, first: number, count: number) => {
      if (rows.length < count * perImage) rows = new Float32Array(count * perImage);
      for (let b = 0; b < count; b++) {
        const [sample, i] = [Math.floor((first + b) / n) - 1, (first + b) % n];
        const row = rows.subarray(b * perImage, (b + 1) * perImage);
        if (sample < 0) {
          row.fill(0);
          continue;
        }
        perturbations.draw(i, sample, noise);
        for (let v = 0; v < perImage; v++) row[v] = -noise[v]!;
        dots.take(i, sample, noise);
      }
      device.queue.writeBuffer(target, 0, rows, 0, count * perImage);
      const params = { elementCount: perImage, pointCount: count, firstPoint: first, imageCount: n, noiseLevel: 1 };
      return runKernel(device, noisePoints, { params, input: gpuBufferOf(inputs.input), minima, maxima, points: target });
    };
    scored = await scorePipelined(metricEnv(method, inputs), n * (samples + 1), { on: 'gpu', write });
  } finally {
    scope.release();
  }
  await dots.settle();
  return imageMajor(inputs, scored, n, samples);
}

/** Sample-major score rows as {@link ScoresWithOriginals} (image i's samples together), with the targets resolved. */
function imageMajor(
  inputs: ReadingMetricInputs,
  { scores, classes }: { scores: Float32Array; classes: number },
  n: number,
  samples: number,
): ScoresWithOriginals {
  const original = scores.slice(0, n * classes);
  const derived = new Float32Array(n * samples * classes);
  for (let i = 0; i < n; i++) {
    for (let s = 0; s < samples; s++) {
      const row = (s + 1) * n + i;
      derived.set(scores.subarray(row * classes, (row + 1) * classes), (i * samples + s) * classes);
    }
  }
  return { original, derived, classes, targets: resolveTargetsOnHost(inputs.target, original, n, classes) };
}
