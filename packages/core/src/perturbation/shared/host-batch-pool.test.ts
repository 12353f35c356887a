// SPDX-License-Identifier: Apache-2.0
import { afterEach, describe, expect, it, vi } from 'vitest';
import { acquireHostBatch, keptHostBatchBytes, MAX_KEPT_BYTES, releaseHostBatch, roomFits, wasmMemoryOf } from './host-batch-pool.js';

describe('host batch pool', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('hands the released buffer to the next call, and never to two callers at once', () => {
    const a = acquireHostBatch(1000);
    const b = acquireHostBatch(1000); // a is still in use
    expect(b.buffer).not.toBe(a.buffer);
    releaseHostBatch(a);
    const c = acquireHostBatch(600); // a view of the kept buffer
    expect(c.buffer).toBe(a.buffer);
    expect(c.length).toBe(600);
    const d = acquireHostBatch(600); // the kept one is taken
    expect(d.buffer).not.toBe(a.buffer);
    releaseHostBatch(c);
    releaseHostBatch(b);
    expect(acquireHostBatch(2000).buffer).not.toBe(a.buffer); // too small: a new one
  });

  it('frees the kept buffer after 10 s without calls', () => {
    vi.useFakeTimers();
    const a = acquireHostBatch(4000);
    releaseHostBatch(a);
    vi.advanceTimersByTime(9_999);
    const b = acquireHostBatch(4000);
    expect(b.buffer).toBe(a.buffer);
    releaseHostBatch(b);
    vi.advanceTimersByTime(10_000);
    expect(acquireHostBatch(4000).buffer).not.toBe(a.buffer);
  });

  it('holds one buffer at most, never one over 64 MiB, and nothing once idle for 10 s', () => {
    vi.useFakeTimers();
    vi.advanceTimersByTime(10_000); // whatever earlier tests kept
    expect(keptHostBatchBytes()).toBe(0);
    const [a, b] = [acquireHostBatch(1000), acquireHostBatch(2000)];
    releaseHostBatch(a);
    releaseHostBatch(b);
    expect(keptHostBatchBytes()).toBe(8000); // the larger one, not both
    const huge = acquireHostBatch(MAX_KEPT_BYTES / 4 + 1); // zero pages: not touched, so cheap to make
    releaseHostBatch(huge);
    expect(keptHostBatchBytes()).toBe(8000); // too big to keep: left to GC
    vi.advanceTimersByTime(10_000);
    expect(keptHostBatchBytes()).toBe(0);
  });

  it('gives a batch room beside it only while batch and room stay keepable', () => {
    const floats = MAX_KEPT_BYTES / 4;
    expect(roomFits(floats - 100, 100)).toBe(true);
    expect(roomFits(floats - 100, 101)).toBe(false); // the batch alone would be kept: no room
    expect(roomFits(floats + 1, 10)).toBe(false); // too large to keep anyway: no more memory
  });

  it('makes a batch in a WebAssembly.Memory when asked, keeps it over a plain one as large, and lends it to plain callers', () => {
    vi.useFakeTimers();
    vi.advanceTimersByTime(10_000);
    const plain = acquireHostBatch(16_384); // one page's floats
    expect(wasmMemoryOf(plain)).toBeUndefined();
    const wasm = acquireHostBatch(1000, true);
    const memory = wasmMemoryOf(wasm);
    expect(memory?.buffer).toBe(wasm.buffer);
    expect(wasm.byteOffset).toBe(0);
    expect(wasm.buffer.byteLength).toBe(65_536); // whole pages
    releaseHostBatch(plain);
    releaseHostBatch(wasm); // as large as the kept plain one (a whole page): the memory's wins
    expect(keptHostBatchBytes()).toBe(65_536);
    const again = acquireHostBatch(2000, true);
    expect(again.buffer).toBe(wasm.buffer);
    releaseHostBatch(again);
    expect(acquireHostBatch(3000).buffer).toBe(wasm.buffer); // a plain caller can use it too
    releaseHostBatch(acquireHostBatch(100)); // the memory is in use: a small plain one is kept meanwhile
    expect(keptHostBatchBytes()).toBe(400);
    expect(wasmMemoryOf(acquireHostBatch(100, true))).toBeDefined(); // a plain kept buffer is no use to a memory's caller
  });
});
