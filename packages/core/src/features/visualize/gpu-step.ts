// SPDX-License-Identifier: Apache-2.0
// One ascent step on the webgpu path with as few queue submissions as the maths allows: webxai's
// kernels go in two KernelBatches around tfjs's forward + backward pass instead of one submit each
// (an FFT image, affine-sample, its adjoint, the FFT VJP and Adam were five, each with its own
// encoder, uniform buffer and output allocation), and the step's maps go up once for both batches,
// into a run's buffer (StepMaps). Batch 2 is left open (PendingAscent) and the next step's batch 1
// joins it when that is all WGSL: one queue.submit per step, batch 2 + the next batch 1.
//   batch 1: image = fourier-image FFTs(variables); seen = affine-sample(image)
//            (without penalties, 'fourier' with an FFT plan and 3 channels: the image padded to 4
//            floats per pixel, which only webxai's kernels read, and affine-sample-padded)
//   tfjs:    g_seen = d objective / d seen
//   batch 2: g_image = affine-sample-adjoint(g_seen); g_vars = FFT VJP(g_image); Adam
//            (without penalties, 'fourier' with an FFT plan: affine-fourier-adjoint does the adjoint
//            and the VJP's first kernel in one pass, g_image never written)
//            (3 channels, planes of whole quads: Adam also leaves the next step's colour-mixed,
//            scaled spectrum in the run's gradient buffer, PremixedSpectrum, so the next batch 1's
//            column FFT reads it plainly instead of mixing 3 planes and a scale per element)
// The penalties (tfjs ops on the image) and the tfjs-op parametrisations ('pixel', sizes without an
// FFT plan) split a batch where they need the result: the same maths as the cpu path, step for step.
import * as tf from '@tensorflow/tfjs';
import { KernelBatch, ShapeMismatchError, type ImageLayout } from '@webxai/shaders';
import { createTensorBuffer, gpuBufferOf, tfjsDevice, type TensorBuffer } from '../../interop/tfjs-webgpu.js';
import {
  adamAdvance,
  adamOutputs,
  disposeAdamOutputs,
  recordAdamAscend,
  recordAdamPremixAscend,
  type AdamOutputs,
  type AdamState,
  type AdamStep,
} from './adam.js';
import { objectiveGradient, type Objective } from './objective.js';
import { fftVariableShape, recordFftImage, recordFftImageVjp, recordFftTransformVjp } from './fourier-fft.js';
import { PendingAscent } from './pending-ascent.js';
import { renderImage, variablesGradient, type ImageBasis } from './parametrisation.js';
import { recordTransform, recordTransformGradient, transformedShape } from './transforms.js';

/**
 * One run's buffers for the step's maps [count][6], rewritten in place by queue.writeBuffer, two
 * of them taken in turn: step k's ascent batch (which reads its maps) is submitted with step
 * k + 1's image kernels (PendingAscent), after step k + 1's maps went up, so consecutive steps must
 * not share one. The queue orders each write after the submissions of two steps back (the last
 * to read that buffer). A tf.tensor1d per step took a buffer, a staging buffer and a queue.submit
 * of its own for 96 bytes.
 */
export class StepMaps {
  readonly #tensors: readonly [tf.Tensor, tf.Tensor];
  #next: 0 | 1 = 0;

  constructor(readonly count: number) {
    this.#tensors = [createTensorBuffer([count * 6]).tensor, createTensorBuffer([count * 6]).tensor];
  }

  /** Writes `maps` ([count][6]) into the buffer the previous upload did not use and returns it. */
  upload(maps: Float32Array<ArrayBuffer>): GPUBuffer {
    if (maps.length !== this.count * 6)
      throw new ShapeMismatchError(`step maps: ${maps.length} values for ${this.count} images; expected [count][6] = ${this.count * 6}`);
    const buffer = gpuBufferOf(this.#tensors[this.#next]);
    this.#next = this.#next === 0 ? 1 : 0;
    tfjsDevice().queue.writeBuffer(buffer, 0, maps);
    return buffer;
  }

  dispose(): void {
    tf.dispose([...this.#tensors]);
  }
}

/**
 * One run's gradient buffer for the variables (fftVariableShape), over which each step's Adam
 * (adam-ascend-premix) leaves the next step's premixed spectrum: the colour mix of the new
 * variables times the 1/f scale, bit for bit what the column FFT's colour-mix load computes, so the
 * next step's image reads it as it is (`ready` once a step has written it). A step's gradient only
 * lives between its VJP and its Adam, which reads it before writing over it; the queue orders the
 * next step's image (which reads the spectrum) before the next VJP (which writes the gradient).
 */
export class PremixedSpectrum {
  readonly #tensor: tf.Tensor;
  ready = false;

  constructor(shape: readonly number[]) {
    this.#tensor = createTensorBuffer(shape).tensor;
  }

  get buffer(): GPUBuffer {
    return gpuBufferOf(this.#tensor);
  }

  dispose(): void {
    this.#tensor.dispose();
  }
}

/** What one step needs besides the variables and Adam's state. */
export interface GpuStepInputs {
  readonly basis: ImageBasis;
  readonly objective: Objective;
  /** The step's maps, [count][6] (stepTransforms), and the run's buffer to upload them to. */
  readonly maps: Float32Array<ArrayBuffer>;
  readonly stepMaps: StepMaps;
  /** The model's input [H, W] and the optimised images' [h, w, c]. */
  readonly input: readonly [number, number];
  readonly image: readonly [number, number, number];
  readonly learningRate: number;
  /** The gradient of the penalties with respect to the image, or undefined for none (tfjs ops). */
  readonly penaltyGradient?: (image: tf.Tensor4D) => tf.Tensor4D;
  /** The run's premixed spectrum ('fourier' with an FFT plan, where premixFits), or undefined. */
  readonly premix?: PremixedSpectrum;
}

/**
 * The result of one step: the new variables and state (the old state released, the old variables
 * not: both are held by `ascent` until it is submitted) and the objective per image. `x` and
 * `state` are written by `ascent`: pass it to the next step (which submits it with its own
 * kernels) or submit it before reading them.
 */
export interface GpuStepResult {
  readonly x: tf.Tensor;
  readonly state: AdamState;
  readonly value: tf.Tensor1D;
  readonly ascent: PendingAscent;
}

/** Tensors a step allocates, disposed together when it fails or handed to its PendingAscent. */
class Scratch {
  #tensors: tf.Tensor[] = [];

  /** A tensor-to-be of `shape` from tfjs's pool, disposed with the scratch. */
  buffer(shape: readonly number[]): TensorBuffer {
    const out = createTensorBuffer(shape);
    this.#tensors.push(out.tensor);
    return out;
  }

  /** Keeps `tensor` until {@link Scratch.dispose}. */
  hold<T extends tf.Tensor>(tensor: T): T {
    this.#tensors.push(tensor);
    return tensor;
  }

  /** The tensors held so far, no longer the scratch's to dispose. */
  take(): tf.Tensor[] {
    const taken = this.#tensors;
    this.#tensors = [];
    return taken;
  }

  dispose(): void {
    tf.dispose(this.take());
  }
}

/**
 * One gradient-ascent step of visualizeFeature on the webgpu backend (see the file comment).
 * `previous`, the step before's ascent (GpuStepResult.ascent), is settled here: submitted, with
 * this step's image kernels when they are WGSL ('fourier' with an FFT plan), else before them; or
 * released if the step fails first.
 */
export async function gpuStep(
  variables: tf.Tensor,
  state: AdamState,
  inputs: GpuStepInputs,
  previous?: PendingAscent,
): Promise<GpuStepResult> {
  const { basis, maps } = inputs;
  const [h, w, c] = inputs.image;
  const imageShape = [basis.count, h, w, c];
  const layout = stepImageLayout(inputs);
  const scratch = new Scratch();
  let value: tf.Tensor1D | undefined;
  const out = adamOutputs(variables);
  try {
    const transforms = inputs.stepMaps.upload(maps);
    // batch 1: the image and what the model sees, joining the previous step's ascent (one submit)
    // when it is all WGSL; else that ascent goes first, since renderImage's tfjs ops read the variables it writes.
    const joined = basis.fft ? previous : undefined;
    if (previous && !joined) await previous.submit();
    const image = basis.fft ? scratch.buffer(layout === 'padded' ? [basis.count, h, w, 4] : imageShape) : undefined;
    const imageTensor = image ? (image.tensor as tf.Tensor4D) : scratch.hold(await renderImage(basis, variables));
    const seen = scratch.buffer(transformedShape(imageShape, inputs.input));
    const see = joined ? joined.batch : new KernelBatch(tfjsDevice(), 'visualize-feature.see');
    if (basis.fft) {
      const premix = inputs.premix?.ready === true ? inputs.premix : undefined;
      const spectra = premix ? premix.buffer : gpuBufferOf(variables);
      recordFftImage(see, basis.fft, basis.spectrumScale!, spectra, image!.buffer, layout, premix ? 'premixed' : 'variables');
    }
    const sources = { src: gpuBufferOf(imageTensor), transforms, output: seen.buffer };
    recordTransform(see, imageShape, inputs.input, maps, sources, layout);
    await (joined ? joined.submit() : see.submit());
    // tfjs: the model's forward and backward pass.
    const pass = objectiveGradient(inputs.objective, seen.tensor as tf.Tensor4D);
    value = pass.value;
    const seenGradient = scratch.hold(pass.gradient);
    // batch 2: back to the image, to the variables, and the step (submitted by the next step or the caller).
    const { batch: ascend, gradient } = await recordVariablesGradient(inputs, scratch, {
      image: imageTensor,
      imageLayout: layout,
      seenGradient: gpuBufferOf(seenGradient),
      transforms,
    });
    recordAdam(ascend, inputs, { x: variables, gradient, state, learningRate: inputs.learningRate }, out);
    if (inputs.premix) inputs.premix.ready = true;
    // Adam reads the old variables and state, which the caller and adamAdvance release: clones
    // (tfjs shares their buffers, no copy) keep them for the batch.
    const ascent = new PendingAscent(ascend, [...scratch.take(), tf.clone(variables), tf.clone(state.m), tf.clone(state.v)]);
    return { ...adamAdvance(state, out), value, ascent };
  } catch (error) {
    previous?.release();
    disposeAdamOutputs(out);
    value?.dispose();
    throw error;
  } finally {
    scratch.dispose();
  }
}

/** Records Adam's step, premixing the next step's spectrum into `gradient` when the run has a PremixedSpectrum. */
function recordAdam(batch: KernelBatch, inputs: GpuStepInputs, step: AdamStep, out: AdamOutputs): void {
  const { basis, premix } = inputs;
  if (premix && basis.fft) {
    recordAdamPremixAscend(batch, step, { shape: basis.fft.shape, scale: gpuBufferOf(basis.spectrumScale!) }, out);
    return;
  }
  recordAdamAscend(batch, step, out);
}

/**
 * The layout of the step's image: 'padded' (4 floats per pixel: affine-sample's taps are one vector
 * load each, 0.74-0.85x its packed time on lavapipe) when only webxai's kernels read it, i.e. it
 * comes from the FFT kernels and no penalty (tfjs ops on the image) needs it as a tensor; and for
 * 3 channels, where the padding is a quarter more memory (for 1 it would be 4 x, to save nothing).
 */
function stepImageLayout(inputs: GpuStepInputs): ImageLayout {
  return inputs.basis.fft && !inputs.penaltyGradient && inputs.image[2] === 3 ? 'padded' : 'packed';
}

/** What batch 2 starts from: the step's image, the model pass's gradient and the maps on the GPU. */
interface BackwardInputs {
  /** The step's image: a tensor [count, h, w, c] when 'packed', only a buffer [count, h, w, 4] when 'padded'. */
  readonly image: tf.Tensor4D;
  readonly imageLayout: ImageLayout;
  readonly seenGradient: GPUBuffer;
  readonly transforms: GPUBuffer;
}

/**
 * Records (and submits where tfjs ops need a result) batch 2 up to the gradient with respect to the
 * variables; returns it and the open batch to record Adam into.
 */
async function recordVariablesGradient(
  inputs: GpuStepInputs,
  scratch: Scratch,
  from: BackwardInputs,
): Promise<{ batch: KernelBatch; gradient: GPUBuffer }> {
  const { basis, penaltyGradient } = inputs;
  let batch = new KernelBatch(tfjsDevice(), 'visualize-feature.ascend');
  if (basis.fft && !penaltyGradient) {
    // The image gradient is only the FFT VJP's input: one fused kernel goes straight past it.
    const gradient = variablesGradientBuffer(inputs, scratch);
    const view = { input: inputs.input, transforms: from.transforms, imageLayout: from.imageLayout };
    recordFftTransformVjp(batch, basis.fft, basis.spectrumScale!, view, gpuBufferOf(from.image), from.seenGradient, gradient);
    return { batch, gradient };
  }
  const imageGradient = scratch.buffer(from.image.shape);
  recordTransformGradient(batch, from.image.shape, inputs.input, inputs.maps, {
    grad: from.seenGradient,
    transforms: from.transforms,
    gradSrc: imageGradient.buffer,
  });
  let total = imageGradient.tensor as tf.Tensor4D;
  if (penaltyGradient) {
    await batch.submit();
    total = scratch.hold(tf.tidy(() => tf.sub(total, penaltyGradient(from.image))));
    batch = new KernelBatch(tfjsDevice(), 'visualize-feature.ascend');
  }
  if (basis.fft) {
    const gradient = variablesGradientBuffer(inputs, scratch);
    recordFftImageVjp(batch, basis.fft, basis.spectrumScale!, gpuBufferOf(from.image), gpuBufferOf(total), gradient);
    return { batch, gradient };
  }
  await batch.submit();
  const gradient = gpuBufferOf(scratch.hold(await variablesGradient(basis, from.image, total)));
  return { batch: new KernelBatch(tfjsDevice(), 'visualize-feature.ascend'), gradient };
}

/** Where the FFT VJP writes the gradient with respect to the variables: the run's PremixedSpectrum, else a scratch buffer. */
function variablesGradientBuffer(inputs: GpuStepInputs, scratch: Scratch): GPUBuffer {
  return inputs.premix?.buffer ?? scratch.buffer(fftVariableShape(inputs.basis.fft!)).buffer;
}
