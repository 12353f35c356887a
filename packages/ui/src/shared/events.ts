// SPDX-License-Identifier: Apache-2.0
import { XaiError, xaiError } from '@webxai/shaders';

/** Detail of the `xai-error` event every component fires. */
export interface XaiErrorDetail {
  readonly error: XaiError;
}

/** Wraps anything thrown into an {@link XaiError} (keeps XaiErrors as they are). */
export function toXaiError(error: unknown, code: 'invalid-input' | 'model-error' = 'invalid-input'): XaiError {
  if (error instanceof XaiError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return xaiError(code, message, { cause: error });
}

/** Dispatches a bubbling, composed CustomEvent. */
export function fire<T>(target: EventTarget, type: string, detail: T): void {
  target.dispatchEvent(new CustomEvent<T>(type, { detail, bubbles: true, composed: true }));
}

/** A number for people: 3 significant digits, no trailing zeros, exponent for tiny/huge values. */
export function formatValue(v: number): string {
  if (v === 0) return '0';
  const abs = Math.abs(v);
  if (abs < 1e-3 || abs >= 1e5) return v.toExponential(2);
  return String(Number(v.toPrecision(3)));
}
