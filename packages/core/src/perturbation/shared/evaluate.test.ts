// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { ModelError } from '@webxai/shaders';
import { adaptModel } from '../../model/adapt.js';
import type { BlackBoxModel } from '../../model/types.js';
import { evaluateBatches, type HostBatchWriter, type PerturbationEnv } from './evaluate.js';

/** A black box whose runs resolve only when the test says so, recording what happened in order. */
function heldBox(maxBatch: number, classes = 3) {
  const events: string[] = [];
  const held: { resolve: () => void; input: Float32Array; copy: Float32Array }[] = [];
  const box: BlackBoxModel = {
    maxBatch,
    numClasses: classes,
    predict: (batch, [n]) => {
      const call = held.length;
      events.push(`predict ${call}`);
      return new Promise<Float32Array>((resolve) => {
        held.push({
          input: batch,
          copy: Float32Array.from(batch),
          // Each row's scores: its image's first value in every class (the rows stay traceable).
          resolve: () =>
            resolve(Float32Array.from({ length: n * classes }, (_, i) => batch[Math.floor(i / classes) * (batch.length / n)]!)),
        });
      });
    },
  };
  return { box, events, held };
}

function envOf(box: BlackBoxModel, size: number): PerturbationEnv {
  return {
    method: 'test',
    model: adaptModel(box),
    geometry: { height: size, width: size, channels: 1 },
    batchSize: 64,
    path: 'cpu',
    signal: undefined,
    preprocess: false,
  };
}

/** Image i is all i + 1 (so a batch's bytes say which images it holds). */
function numberedWriter(events: string[]): HostBatchWriter {
  return {
    on: 'host',
    write: (out, first, count) => {
      events.push(`write ${first}`);
      const perImage = out.length / count;
      for (let b = 0; b < count; b++) out.fill(first + b + 1, b * perImage, (b + 1) * perImage);
    },
  };
}

/** Runs the loop, resolving each held run once the loop has had time to do all it can before it. */
async function runHeld(box: ReturnType<typeof heldBox>, env: PerturbationEnv, total: number, writer: HostBatchWriter) {
  const rows: number[] = [];
  const done = evaluateBatches(env, total, writer, (first, count, scores, classes) => {
    box.events.push(`scores ${first}`);
    for (let b = 0; b < count; b++) rows.push(scores[b * classes]!);
  });
  for (let call = 0; call < Math.ceil(total / box.box.maxBatch!); call++) {
    while (box.held.length <= call) await new Promise((r) => setTimeout(r, 0));
    await new Promise((r) => setTimeout(r, 0)); // time for the loop to write ahead, were it to
    const run = box.held[call]!;
    // The box's input did not change while it ran.
    expect(Array.from(run.input)).toEqual(Array.from(run.copy));
    run.resolve();
  }
  await done;
  return rows;
}

describe('evaluateBatches with a black box', () => {
  it('writes the next batch only after the scores are back, into the same memory', async () => {
    const held = heldBox(2);
    const rows = await runHeld(held, envOf(held.box, 2), 5, numberedWriter(held.events));
    expect(rows).toEqual([1, 2, 3, 4, 5]);
    expect(held.events).toEqual([
      'write 0',
      'predict 0',
      'scores 0',
      'write 2',
      'predict 1',
      'scores 2',
      'write 4',
      'predict 2',
      'scores 4',
    ]);
    expect(new Set(held.held.map((r) => r.input.buffer)).size).toBe(1);
    expect(held.held.map((r) => r.input.byteOffset)).toEqual([0, 0, 0]);
    expect(held.held.map((r) => r.input.length / 4)).toEqual([2, 2, 1]);
  });

  it('makes one call when everything fits in one batch', async () => {
    const held = heldBox(4);
    expect(await runHeld(held, envOf(held.box, 2), 3, numberedWriter(held.events))).toEqual([1, 2, 3]);
    expect(held.events).toEqual(['write 0', 'predict 0', 'scores 0']);
  });

  it.for([true, false, undefined])(
    'tells the writer the batch is kept between calls only when the box reads its input only (%s)',
    async (reads) => {
      const kept: (boolean | undefined)[] = [];
      const writer: HostBatchWriter = {
        on: 'host',
        staging: 4,
        write: (out, _first, _count, _layout, staging) => {
          kept.push(staging?.batchKept);
          out.fill(1);
        },
      };
      const box: BlackBoxModel = {
        maxBatch: 2,
        numClasses: 3,
        ...(reads !== undefined && { readsInputOnly: reads }),
        predict: (_, [n]) => Promise.resolve(new Float32Array(n * 3)),
      };
      await evaluateBatches(envOf(box, 2), 5, writer, () => undefined);
      expect(kept).toEqual([reads === true, reads === true, reads === true]);
    },
  );

  it('rejects with the writer error, and with a ModelError when the box rejects', async () => {
    const failing: HostBatchWriter = {
      on: 'host',
      write: (out, first) => {
        if (first === 2) throw new RangeError('writer failed');
        out.fill(1);
      },
    };
    const scoring: BlackBoxModel = { maxBatch: 2, numClasses: 3, predict: (_, [n]) => Promise.resolve(new Float32Array(n * 3)) };
    await expect(evaluateBatches(envOf(scoring, 2), 6, failing, () => undefined)).rejects.toThrow(RangeError);
    const box: BlackBoxModel = { maxBatch: 2, predict: () => Promise.reject(new Error('box failed')) };
    const ok = numberedWriter([]);
    await expect(evaluateBatches(envOf(box, 2), 6, ok, () => undefined)).rejects.toThrow(ModelError);
  });
});
