// SPDX-License-Identifier: Apache-2.0
/**
 * Stable error codes. Every error webxai throws on purpose is an {@link XaiError} with one of these;
 * code that reacts to errors should switch on `code`, never on the message text.
 */
export type XaiErrorCode =
  | 'webgpu-unavailable' // no navigator.gpu, no adapter, or the device could not be created
  | 'device-lost' // the GPUDevice was lost (driver reset, destroy(), GPU process crash)
  | 'gpu-validation' // a kernel failed WebGPU validation (a bug in webxai or a hand-written kernel)
  | 'gpu-out-of-memory'
  | 'shape-mismatch' // a tensor or buffer has the wrong shape / length / rank / channels
  | 'invalid-input' // bad values: NaN or Inf, out of range
  | 'invalid-option' // an option that is not allowed (unknown method, non-integer steps, ...)
  | 'unsupported-model' // a model kind or output we cannot explain
  | 'unknown-layer' // a layer name that does not exist or cannot be used
  | 'model-error' // the user's model or predict function threw, rejected or returned garbage
  | 'disposed' // an explainer, renderer or other resource was used after dispose()
  | 'aborted'; // the caller's AbortSignal fired

/** Base class for every error this library throws on purpose. */
export class XaiError extends Error {
  override readonly name: string = 'XaiError';
  constructor(
    readonly code: XaiErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`${message} [xai:${code}]`, options);
  }
}

/** WebGPU is missing or refused to give an adapter/device. */
export class WebGPUUnavailableError extends XaiError {
  override readonly name = 'WebGPUUnavailableError';
  constructor(message: string, options?: ErrorOptions) {
    super('webgpu-unavailable', message, options);
  }
}

/**
 * The device is gone; get a fresh one with `acquireDevice()` (or re-initialise tfjs) and retry.
 * `reason` is the GPUDeviceLostInfo's reason and message ('destroyed: ...', 'unknown: ...').
 */
export class DeviceLostError extends XaiError {
  override readonly name = 'DeviceLostError';
  constructor(
    message: string,
    readonly reason = 'unknown',
    options?: ErrorOptions,
  ) {
    super('device-lost', message, options);
  }
}

/** A GPU validation (or out-of-memory) error raised by a kernel; the message names the kernel. */
export class GpuValidationError extends XaiError {
  override readonly name = 'GpuValidationError';
  constructor(
    readonly kernelName: string,
    gpuMessage: string,
    code: 'gpu-validation' | 'gpu-out-of-memory' = 'gpu-validation',
  ) {
    super(code, `Kernel "${kernelName}" failed GPU validation: ${gpuMessage}`);
  }
}

/** A buffer larger than the device allows (`maxBufferSize`); use a smaller batch or image. */
export class GpuOutOfMemoryError extends XaiError {
  override readonly name = 'GpuOutOfMemoryError';
  constructor(message: string, options?: ErrorOptions) {
    super('gpu-out-of-memory', message, options);
  }
}

/** A tensor, array or buffer does not have the shape the API needs. */
export class ShapeMismatchError extends XaiError {
  override readonly name = 'ShapeMismatchError';
  constructor(message: string, options?: ErrorOptions) {
    super('shape-mismatch', message, options);
  }
}

/** The model cannot be explained as given (wrong output shape, unsupported kind, not differentiable). */
export class UnsupportedModelError extends XaiError {
  override readonly name = 'UnsupportedModelError';
  constructor(message: string, options?: ErrorOptions) {
    super('unsupported-model', message, options);
  }
}

/** The caller's AbortSignal fired; whatever was allocated has been released. */
export class AbortedError extends XaiError {
  override readonly name = 'AbortedError';
  constructor(message = 'The operation was aborted', options?: ErrorOptions) {
    super('aborted', message, options);
  }
}

/** An option has a wrong type or value (the message names the option and what is allowed). */
export class InvalidOptionError extends XaiError {
  override readonly name = 'InvalidOptionError';
  constructor(message: string, options?: ErrorOptions) {
    super('invalid-option', message, options);
  }
}

/** Input values are unusable (NaN, Inf, out of range). */
export class InvalidInputError extends XaiError {
  override readonly name = 'InvalidInputError';
  constructor(message: string, options?: ErrorOptions) {
    super('invalid-input', message, options);
  }
}

/** The user's model or predict function threw, rejected, or returned something unusable. */
export class ModelError extends XaiError {
  override readonly name = 'ModelError';
  constructor(message: string, options?: ErrorOptions) {
    super('model-error', message, options);
  }
}

/** An object (explainer, renderer, ...) was used after its `dispose()`; create a new one. */
export class DisposedError extends XaiError {
  override readonly name = 'DisposedError';
  constructor(message: string, options?: ErrorOptions) {
    super('disposed', message, options);
  }
}

/** A layer name that does not exist or cannot be used; `candidates` lists the valid ones. */
export class UnknownLayerError extends XaiError {
  override readonly name = 'UnknownLayerError';
  constructor(
    message: string,
    readonly candidates: readonly string[],
    options?: ErrorOptions,
  ) {
    super('unknown-layer', `${message}. Valid layers: ${candidates.length ? candidates.join(', ') : '(none)'}`, options);
  }
}

/**
 * The typed subclass for `code` (for code that maps a foreign failure to a code): callers can
 * always rely on `instanceof`, never on a bare {@link XaiError}.
 */
export function xaiError(code: XaiErrorCode, message: string, options?: ErrorOptions): XaiError {
  switch (code) {
    case 'webgpu-unavailable':
      return new WebGPUUnavailableError(message, options);
    case 'device-lost':
      return new DeviceLostError(message, 'unknown', options);
    case 'gpu-validation':
      return new GpuValidationError('(unknown kernel)', message);
    case 'gpu-out-of-memory':
      return new GpuOutOfMemoryError(message, options);
    case 'shape-mismatch':
      return new ShapeMismatchError(message, options);
    case 'invalid-input':
      return new InvalidInputError(message, options);
    case 'invalid-option':
      return new InvalidOptionError(message, options);
    case 'unsupported-model':
      return new UnsupportedModelError(message, options);
    case 'unknown-layer':
      return new UnknownLayerError(message, [], options);
    case 'model-error':
      return new ModelError(message, options);
    case 'disposed':
      return new DisposedError(message, options);
    case 'aborted':
      return new AbortedError(message, options);
  }
}

/** Throws {@link AbortedError} if `signal` has fired. Call between batches. */
export function throwIfAborted(signal: AbortSignal | undefined, what = 'operation'): void {
  if (signal?.aborted) throw new AbortedError(`${what} was aborted`, { cause: signal.reason });
}

/** Internal consistency check: a failure is a bug in this library, not in caller input. */
export function invariant(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`webxai invariant failed: ${message}`);
}
