// SPDX-License-Identifier: Apache-2.0
// The 'fourier' parametrisation on the webgpu backend as WGSL kernels (packages/shaders/src/fft):
// a barrier-free Stockham FFT per axis instead of the dense DFT-table products, and the 1/f scale,
// colour mix and sigmoid (and their adjoints) fused into the FFT's first / last kernels: about ten
// dispatches and one queue.submit each way. The maths is parametrisation.ts's, term for term; the
// tfjs-op path there stays for the cpu backend and for sizes whose FFT needs a prime factor above 7.
import * as tf from '@tensorflow/tfjs';
import {
  fftTwiddles,
  type FftRun,
  fourierScratchFloats,
  hasTwoStagePlans,
  recordAffineFourierAdjoint,
  recordFourierImage,
  recordFourierImageAdjoint,
  recordKernels,
  type ComplexLayout,
  type FourierImageShape,
  type ImageLayout,
  type KernelBatch,
  type SpectraForm,
} from '@webxai/shaders';
import { createTensorBuffer, gpuBufferOf, tfjsDevice } from '../../interop/tfjs-webgpu.js';
import { activeAdapterInfo, isSoftwareAdapter, isSwiftShaderAdapter, type AdapterDescription } from '../../interop/tfjs-setup.js';

/** The GPU resources of one basis (dispose with {@link disposeFourierFft}). */
export interface FourierFft {
  readonly shape: FourierImageShape;
  /** fftTwiddles(w) and fftTwiddles(h) as tensors (their buffers bound by the kernels). */
  readonly rowTwiddles: tf.Tensor1D;
  readonly columnTwiddles: tf.Tensor1D;
  /** Two scratch tensors the FFT stages ping-pong between. */
  readonly scratch: readonly [tf.Tensor1D, tf.Tensor1D];
  /** How two-stage FFT plans run: one fft-pair or fft-whole dispatch, or a dispatch per stage ({@link fftStageFusion}). */
  readonly fusion: Pick<FftRun, 'fuseStages' | 'fusedIn'>;
  /** How `scratch` holds the complex values between the FFTs ({@link scratchLayoutOf}). */
  readonly scratchLayout: ComplexLayout;
}

/**
 * Whether the FFTs on this adapter run a two-stage plan as one fft-pair dispatch (stages meeting in
 * workgroup memory) or one dispatch per stage. Everywhere fused except on SwiftShader, where the
 * pair was 1.30-1.43x slower than the stages (Chromium, session 13: the Fourier image and its
 * adjoint at 128 and 224; its workgroup barrier is emulated on the CPU), and 2.7-4x after session 15
 * made the FFT modes pipeline constants (the stages gained more: the image and its adjoint at
 * 128x128x3 in 14 ms as stages, 41 as pairs). On lavapipe the pair took 0.90-0.94x at 128
 * (1.06-1.16x at 224); real GPUs are where fusing stages is the usual choice.
 */
export function fuseFftStages(adapter: AdapterDescription | undefined): boolean {
  return !isSwiftShaderAdapter(adapter);
}

/**
 * tfjs flag: whether two-stage FFT plans run a whole sequence per invocation (fft-whole, the stages
 * meeting in private memory) instead of as {@link fuseFftStages} says. Default: on software adapters
 * other than SwiftShader (lavapipe), where a round trip through workgroup memory costs what one
 * through a storage buffer does: visualizeFeature's four 128-point FFTs took 0.78-0.91x fft-pair's
 * CPU time there, bit for bit (session 23). Unmeasured on SwiftShader (which runs stages, see
 * fuseFftStages) and on hardware GPUs (where a sequence per invocation leaves most lanes idle).
 * Set it after configureTfjs for an A/B (`--tfjs-flags` in the bench).
 */
export const FFT_WHOLE_SEQUENCES_FLAG = 'WEBXAI_FFT_WHOLE_SEQUENCES';

/** The default of {@link FFT_WHOLE_SEQUENCES_FLAG} on `adapter`. */
export function wholeSequenceFfts(adapter: AdapterDescription | undefined): boolean {
  return isSoftwareAdapter(adapter) && !isSwiftShaderAdapter(adapter);
}

tf.env().registerFlag(FFT_WHOLE_SEQUENCES_FLAG, () => wholeSequenceFfts(activeAdapterInfo()));

/** How the active backend's two-stage FFT plans run: {@link FFT_WHOLE_SEQUENCES_FLAG}, else {@link fuseFftStages}. */
export function fftStageFusion(): Pick<FftRun, 'fuseStages' | 'fusedIn'> {
  if (tf.env().getBool(FFT_WHOLE_SEQUENCES_FLAG)) return { fuseStages: true, fusedIn: 'invocation' };
  return { fuseStages: fuseFftStages(activeAdapterInfo()), fusedIn: 'workgroup' };
}

/**
 * tfjs flag: whether fft-whole's scratch between the FFTs holds complex values interleaved (one vec2
 * per value; default true) or planar (two f32s `imOffset` apart), the same bits either way. lavapipe's
 * cost follows the count of load and store instructions: the step's FFTs took 0.90-0.95x their
 * planar CPU time each (session 23). Set it after configureTfjs for an A/B (`--tfjs-flags` in the bench).
 */
export const FFT_INTERLEAVED_SCRATCH_FLAG = 'WEBXAI_FFT_INTERLEAVED_SCRATCH';

tf.env().registerFlag(FFT_INTERLEAVED_SCRATCH_FLAG, () => true);

/**
 * How the scratch between the FFTs holds complex values under `fusion`: interleaved when fft-whole
 * runs both axes (fusedIn 'invocation' and two-stage plans) and {@link FFT_INTERLEAVED_SCRATCH_FLAG}
 * is on, else planar (fft-stage and fft-pair read planar only).
 */
export function scratchLayoutOf(shape: FourierImageShape, fusion: Pick<FftRun, 'fuseStages' | 'fusedIn'>): ComplexLayout {
  const whole = fusion.fusedIn === 'invocation' && hasTwoStagePlans(shape.height, shape.width);
  return whole && tf.env().getBool(FFT_INTERLEAVED_SCRATCH_FLAG) ? 'interleaved' : 'planar';
}

/** Allocates the twiddles and scratch of `shape` on the webgpu backend. */
export function fourierFft(shape: FourierImageShape): FourierFft {
  const floats = fourierScratchFloats(shape);
  const scratch = [0, 1].map(() => createTensorBuffer([floats]).tensor) as [tf.Tensor1D, tf.Tensor1D];
  const fusion = fftStageFusion();
  return {
    shape,
    rowTwiddles: tf.tensor1d(fftTwiddles(shape.width)),
    columnTwiddles: tf.tensor1d(fftTwiddles(shape.height)),
    scratch,
    fusion,
    scratchLayout: scratchLayoutOf(shape, fusion),
  };
}

export function disposeFourierFft(fft: FourierFft): void {
  tf.dispose([fft.rowTwiddles, fft.columnTwiddles, ...fft.scratch]);
}

function buffersOf(fft: FourierFft, scale: tf.Tensor) {
  return {
    rowTwiddles: gpuBufferOf(fft.rowTwiddles),
    columnTwiddles: gpuBufferOf(fft.columnTwiddles),
    scale: gpuBufferOf(scale),
    scratch: [gpuBufferOf(fft.scratch[0]), gpuBufferOf(fft.scratch[1])] as const,
    ...fft.fusion,
    scratchLayout: fft.scratchLayout,
  };
}

/** Runs `record` into a new tensor of `shape` (disposed again if recording or submitting fails). */
async function intoTensor(
  shape: readonly number[],
  label: string,
  record: (out: GPUBuffer) => Parameters<typeof recordKernels>[2],
): Promise<tf.Tensor> {
  const out = createTensorBuffer(shape);
  try {
    await recordKernels(tfjsDevice(), label, record(out.buffer));
  } catch (error) {
    out.tensor.dispose();
    throw error;
  }
  return out.tensor;
}

/**
 * Records the images [count, h, w, c] of `variables` [count c, h, 2 W'] (spectrum scale `scale`
 * [h, 2 W']) into `image`, in `layout` (default 'packed': a tfjs tensor's NHWC); `form` 'premixed':
 * `variables` holds their premixed spectrum instead (adam-ascend-premix's, see PremixedSpectrum).
 */
export function recordFftImage(
  batch: KernelBatch,
  fft: FourierFft,
  scale: tf.Tensor,
  variables: GPUBuffer,
  image: GPUBuffer,
  layout: ImageLayout = 'packed',
  form: SpectraForm = 'variables',
): void {
  recordFourierImage(batch, fft.shape, buffersOf(fft, scale), variables, image, layout, form);
}

/**
 * Records the gradient [count c, h, 2 W'] of sum(imageGradient * image(variables)) at `image` =
 * fftImage(variables) into `gradient`.
 */
export function recordFftImageVjp(
  batch: KernelBatch,
  fft: FourierFft,
  scale: tf.Tensor,
  image: GPUBuffer,
  imageGradient: GPUBuffer,
  gradient: GPUBuffer,
): void {
  recordFourierImageAdjoint(batch, fft.shape, buffersOf(fft, scale), image, imageGradient, gradient);
}

/**
 * Records the gradient [count c, h, 2 W'] of the objective with respect to the variables into
 * `gradient` from `seenGradient`, its gradient with respect to what the model saw: `image` =
 * fftImage(variables) (in `view.imageLayout`) through the maps `transforms`
 * (checked by recordTransform) at `input` [H, W].
 * One fused kernel (affine-fourier-adjoint) replaces affine-sample-adjoint and the VJP's first
 * kernel: no image gradient in between, so only for steps without penalties.
 */
export function recordFftTransformVjp(
  batch: KernelBatch,
  fft: FourierFft,
  scale: tf.Tensor,
  view: { readonly input: readonly [number, number]; readonly transforms: GPUBuffer; readonly imageLayout: ImageLayout },
  image: GPUBuffer,
  seenGradient: GPUBuffer,
  gradient: GPUBuffer,
): void {
  const fourierView = { outHeight: view.input[0], outWidth: view.input[1], transforms: view.transforms, imageLayout: view.imageLayout };
  recordAffineFourierAdjoint(batch, fft.shape, buffersOf(fft, scale), fourierView, image, seenGradient, gradient);
}

/** The shape [count c, h, 2 W'] of the variables (and of their gradient). */
export function fftVariableShape(fft: FourierFft): number[] {
  const { images, height, width, channels } = fft.shape;
  return [images * channels, height, 2 * (Math.floor(width / 2) + 1)];
}

/** The images [count, h, w, c] of `variables` [count c, h, 2 W'] (spectrum scale `scale` [h, 2 W']). Inputs not disposed. */
export async function fftImage(fft: FourierFft, scale: tf.Tensor, variables: tf.Tensor): Promise<tf.Tensor4D> {
  const { images, height, width, channels } = fft.shape;
  const spectra = gpuBufferOf(variables);
  const image = await intoTensor(
    [images, height, width, channels],
    'fourier-image',
    (out) => (batch) => recordFftImage(batch, fft, scale, spectra, out),
  );
  return image as tf.Tensor4D;
}

/** The gradient [count c, h, 2 W'] of sum(imageGradient * image(variables)) at `image` = fftImage(variables). Inputs not disposed. */
export async function fftImageVjp(fft: FourierFft, scale: tf.Tensor, image: tf.Tensor4D, imageGradient: tf.Tensor4D): Promise<tf.Tensor> {
  const [imageBuffer, gradientBuffer] = [gpuBufferOf(image), gpuBufferOf(imageGradient)];
  return intoTensor(
    fftVariableShape(fft),
    'fourier-image-adjoint',
    (out) => (batch) => recordFftImageVjp(batch, fft, scale, imageBuffer, gradientBuffer, out),
  );
}
