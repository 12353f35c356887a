// SPDX-License-Identifier: Apache-2.0

/** A bad command line (exit code 2): the message names the flag and what it accepts. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Exit codes: 0 everything explained, 1 some images or methods failed, 2 bad arguments. */
export const EXIT = { ok: 0, someFailed: 1, usage: 2 } as const;

/** The message of anything thrown. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
