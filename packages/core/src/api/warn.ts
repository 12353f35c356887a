// SPDX-License-Identifier: Apache-2.0
const warned = new Set<string>();

/** Logs `message` once per `key` per process (slow paths; unknown options are rejected, never warned about). */
export function warnOnce(key: string, message: string): void {
  if (warned.has(key)) return;
  warned.add(key);
  console.warn(message);
}
