// SPDX-License-Identifier: Apache-2.0
// One command encoder and one queue.submit for several kernels. runKernel submits once per
// dispatch, which is right for a lone kernel; an operation made of several kernels (a heatmap
// frame: 8 dispatches) pays a submit — an IPC to Chromium's GPU process — and a validation round
// trip per kernel. A KernelBatch records the dispatches (and buffer copies) in order and submits
// them together, with one validation scope and one uniform buffer for all of them.
import { assertDeviceAlive, watchDevice } from './device.js';
import { BufferUsage } from './buffers.js';
import { DisposedError, GpuValidationError, InvalidOptionError } from './errors.js';
import { bindArgs, dispatchGrid, getPipeline, kernelValidationEnabled, recordDispatch } from './kernel.js';
import type { AnySpec, BindingSpec, BoundArg, KernelArgs, KernelSpec } from './kernel.js';

/** The uniform bindings of a kernel with bindings `B` (their names). */
type UniformNames<B extends Record<string, BindingSpec>> = {
  [K in keyof B]: B[K] extends { uniform: unknown } ? K : never;
}[keyof B];

/** Options of {@link KernelBatch.dispatch}. */
export interface BatchDispatchOptions<B extends Record<string, BindingSpec>> {
  /**
   * Uniform bindings to bind from a GPU buffer (UNIFORM usage) instead of uploading `args`' values:
   * for a uniform an earlier kernel of the batch wrote on the GPU. `args` still gives the uniform's
   * fields: they size the dispatch and are checked, so pass the CPU-known ones (placeholders for the rest).
   */
  readonly uniformBuffers?: { readonly [K in UniformNames<B>]?: GPUBuffer };
}

interface DispatchStep {
  readonly kind: 'dispatch';
  readonly name: string;
  readonly pipeline: Promise<GPUComputePipeline>;
  readonly bindings: readonly BoundArg[];
  readonly grid: [number, number, number];
}

interface CopyStep {
  readonly kind: 'copy';
  readonly source: GPUBuffer;
  readonly sourceOffset: number;
  readonly destination: GPUBuffer;
  readonly destinationOffset: number;
  readonly size: number;
}

interface ClearStep {
  readonly kind: 'clear';
  readonly buffer: GPUBuffer;
  readonly offset: number;
  readonly size: number | undefined;
}

interface EncodeStep {
  readonly kind: 'encode';
  readonly name: string;
  readonly uniforms: readonly ArrayBuffer[];
  readonly record: (encoder: GPUCommandEncoder, uniforms: readonly GPUBufferBinding[]) => void;
}

type Step = DispatchStep | CopyStep | ClearStep | EncodeStep;

/**
 * Records kernel dispatches, buffer copies and clears in order into ONE GPUCommandEncoder and
 * submits them with ONE `queue.submit` (see {@link recordKernels} for the usual form).
 *
 * - Each step sees the results of the steps before it (WebGPU orders dispatches within a pass and
 *   commands within an encoder), exactly as if each had been submitted alone with `runKernel`.
 * - Arguments are checked when a step is recorded (typed errors, before anything reaches the GPU);
 *   pipelines start compiling then too. {@link KernelBatch.submit} waits for them, encodes, submits.
 * - `queue.writeBuffer` calls are NOT steps: WebGPU runs them before the whole batch. Write the
 *   inputs before recording; for an update between two steps use {@link KernelBatch.copy} or
 *   {@link KernelBatch.clear}.
 * - All the batch's uniforms go into one buffer (one upload), freed once the GPU is done with it;
 *   the batch creates no other buffer.
 *
 * @example
 * const batch = new KernelBatch(device, 'scale-then-add');
 * batch.dispatch(scale, { params: { count, factor: 2 }, values });
 * batch.dispatch(add, { params: { count }, a: values, b: other, output });
 * await batch.submit(); // 1 queue.submit, 1 validation scope
 */
export class KernelBatch {
  readonly #steps: Step[] = [];
  #submitted = false;

  /** `label` names the command encoder and errors that no single kernel can be blamed for. */
  constructor(
    readonly device: GPUDevice,
    readonly label: string,
  ) {
    assertDeviceAlive(watchDevice(device), `kernel batch "${label}"`);
  }

  /** Steps recorded so far (dispatches of empty grids are not recorded). */
  get size(): number {
    return this.#steps.length;
  }

  /** Names of the kernels (and encode steps) recorded so far, in order. */
  get kernelNames(): string[] {
    return this.#steps.flatMap((step) => (step.kind === 'dispatch' || step.kind === 'encode' ? [step.name] : []));
  }

  #assertOpen(what: string): void {
    if (this.#submitted) throw new DisposedError(`kernel batch "${this.label}": ${what} after submit(); record into a new batch`);
  }

  /**
   * Records one dispatch of `spec` (same arguments as `runKernel`). A dispatch whose grid is empty
   * (e.g. count 0) is skipped, as `runKernel` skips it.
   *
   * @throws {InvalidOptionError} a missing buffer, a malformed uniform, a grid over the device limit.
   * @throws {DisposedError} the batch was already submitted.
   */
  dispatch<B extends Record<string, BindingSpec>>(spec: KernelSpec<B>, args: KernelArgs<B>, options: BatchDispatchOptions<B> = {}): this {
    this.#assertOpen(`dispatch of "${spec.name}"`);
    const gpuUniforms = (options.uniformBuffers ?? {}) as Readonly<Record<string, GPUBuffer | undefined>>;
    const packed = bindArgs(spec, args);
    for (const name of Object.keys(gpuUniforms)) {
      if (!packed.some((b) => b.name === name && b.uniform)) {
        throw new InvalidOptionError(`kernel "${spec.name}": uniformBuffers.${name} names no uniform binding of the kernel`);
      }
    }
    const bindings = packed.map((binding) => {
      const buffer = gpuUniforms[binding.name];
      return buffer ? { name: binding.name, buffer } : binding;
    });
    const grid = dispatchGrid(this.device, spec, args);
    if (grid[0] * grid[1] * grid[2] === 0) return this;
    const pipeline = getPipeline(this.device, spec as unknown as AnySpec);
    pipeline.catch(() => undefined); // reported by submit(); a batch never submitted must not leave an unhandled rejection
    this.#steps.push({ kind: 'dispatch', name: spec.name, pipeline, bindings, grid });
    return this;
  }

  /** Records `encoder.copyBufferToBuffer` (byte offsets and size, multiples of 4). */
  copy(source: GPUBuffer, sourceOffset: number, destination: GPUBuffer, destinationOffset: number, size: number): this {
    this.#assertOpen('copy');
    this.#steps.push({ kind: 'copy', source, sourceOffset, destination, destinationOffset, size });
    return this;
  }

  /** Records `encoder.clearBuffer` (zeros; the whole buffer from `offset` unless `size` is given). */
  clear(buffer: GPUBuffer, offset = 0, size?: number): this {
    this.#assertOpen('clear');
    this.#steps.push({ kind: 'clear', buffer, offset, size });
    return this;
  }

  /**
   * Records commands the batch has no step for (a render pass, a texture copy): `record` runs at
   * {@link KernelBatch.submit}, in order, with the encoder (no pass open) and one binding per entry
   * of `uniforms`, placed in the batch's uniform buffer. Fetch per-frame objects such as a canvas's
   * `getCurrentTexture()` inside `record`, not before: submit may first wait for pipelines.
   * `name` labels the step in validation errors.
   */
  encode(
    name: string,
    uniforms: readonly ArrayBuffer[],
    record: (encoder: GPUCommandEncoder, uniforms: readonly GPUBufferBinding[]) => void,
  ): this {
    this.#assertOpen(`encode of "${name}"`);
    this.#steps.push({ kind: 'encode', name, uniforms, record });
    return this;
  }

  /**
   * Encodes every step in order and submits them in one command buffer (nothing when the batch is
   * empty). Settles once the submission has been validated (when kernel validation is on), not when
   * the GPU has finished; a batch is submitted at most once.
   *
   * @throws {GpuValidationError} a pipeline failed to compile (nothing is submitted then), or the
   *   batch failed validation; `kernelName` is the kernel the GPU's message names, else the batch.
   * @throws {DeviceLostError} the device is lost.
   */
  async submit(): Promise<void> {
    this.#assertOpen('submit');
    this.#submitted = true;
    const steps = this.#steps;
    if (steps.length === 0) return;
    const pipelines = await Promise.all(steps.map((step) => (step.kind === 'dispatch' ? step.pipeline : Promise.resolve(undefined))));
    const device = this.device;
    assertDeviceAlive(device, `kernel batch "${this.label}"`);
    const validate = kernelValidationEnabled();
    if (validate) device.pushErrorScope('validation');
    const uniforms = this.#uploadUniforms();
    const encoder = device.createCommandEncoder({ label: this.label });
    let pass: GPUComputePassEncoder | undefined;
    steps.forEach((step, i) => {
      if (step.kind === 'dispatch') {
        // Consecutive dispatches share a pass: WebGPU makes each dispatch see the previous one's writes.
        pass ??= encoder.beginComputePass({ label: this.label });
        recordDispatch(device, pass, step.name, pipelines[i]!, step.bindings, step.grid, (b) => uniforms.place(b.uniform!));
        return;
      }
      pass?.end();
      pass = undefined;
      if (step.kind === 'copy')
        encoder.copyBufferToBuffer(step.source, step.sourceOffset, step.destination, step.destinationOffset, step.size);
      else if (step.kind === 'clear') encoder.clearBuffer(step.buffer, step.offset, step.size);
      else
        step.record(
          encoder,
          step.uniforms.map((data) => uniforms.place(data)),
        );
    });
    pass?.end();
    device.queue.submit([encoder.finish()]);
    uniforms.release(); // WebGPU defers the destroy until the submitted work is done
    if (!validate) return;
    const error = await device.popErrorScope();
    if (error) throw new GpuValidationError(this.#blame(error.message), error.message);
    assertDeviceAlive(device, `kernel batch "${this.label}"`);
  }

  /** The kernel a validation message names (labels are kernel names), else the batch and its kernels. */
  #blame(message: string): string {
    const names = this.kernelNames;
    if (names.length === 1) return names[0]!;
    return names.find((name) => message.includes(`"${name}"`)) ?? `${this.label} [${names.join(', ')}]`;
  }

  /** Packs every uniform of the batch into one buffer, each at an offset the device allows. */
  #uploadUniforms(): { place: (data: ArrayBuffer) => GPUBufferBinding; release: () => void } {
    const align = this.device.limits.minUniformBufferOffsetAlignment;
    const offsets = new Map<ArrayBuffer, number>();
    let size = 0;
    for (const step of this.#steps) {
      const data =
        step.kind === 'dispatch'
          ? step.bindings.flatMap((b) => (b.uniform ? [b.uniform] : []))
          : step.kind === 'encode'
            ? step.uniforms
            : [];
      for (const uniform of data) {
        if (offsets.has(uniform)) continue;
        offsets.set(uniform, size);
        size += Math.ceil(uniform.byteLength / align) * align;
      }
    }
    if (size === 0) return { place: () => unreachable(), release: () => undefined };
    const buffer = this.device.createBuffer({ label: `${this.label}.uniforms`, size, usage: BufferUsage.UNIFORM | BufferUsage.COPY_DST });
    const bytes = new Uint8Array(size);
    for (const [data, offset] of offsets) bytes.set(new Uint8Array(data), offset);
    // One writeBuffer (staged by the queue, ordered before this batch's submit), not a mapped buffer:
    // small uploads are cheaper this way in browsers and in Dawn.
    this.device.queue.writeBuffer(buffer, 0, bytes);
    return {
      place: (data) => ({ buffer, offset: offsets.get(data)!, size: data.byteLength }),
      release: () => buffer.destroy(),
    };
  }
}

function unreachable(): never {
  throw new Error('kernel batch: a uniform binding without packed data'); // bindArgs packs every uniform
}

/**
 * Runs `record` on a fresh {@link KernelBatch} and submits it: several kernels, one `queue.submit`.
 * If `record` throws (e.g. a typed argument error), nothing is submitted.
 *
 * @example
 * await recordKernels(device, 'xai-heatmap.draw', (batch) => {
 *   batch.dispatch(attributionStats, { params: { count, sign }, values, stats });
 *   batch.dispatch(colormapApply, { params, values, lut, colors }, { uniformBuffers: { params: gpuWritten } });
 * });
 */
export async function recordKernels(device: GPUDevice, label: string, record: (batch: KernelBatch) => void): Promise<void> {
  const batch = new KernelBatch(device, label);
  record(batch);
  await batch.submit();
}
