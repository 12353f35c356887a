// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { seededF32 } from '@webxai/testing';
import { perturbBatchRef } from '@webxai/shaders';
import { nhwcToNchw } from '../../model/onnx/from-onnx.js';
import { CoalitionWriter } from './coalition-writer.js';
import { orderedPartition, type PartitionTree } from './partition-tree.js';

/** Disjoint nodes: walk down from the root, keeping a node or descending into both children at random. */
function randomCoalition(tree: PartitionTree, seed: number): number[] {
  const nodes: number[] = [];
  let state = seed;
  const coin = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) >> 16) % 3;
  const visit = (node: number) => {
    const draw = coin();
    if (draw === 0) return; // off
    if (draw === 1 || tree.left[node]! < 0) nodes.push(node);
    else {
      visit(tree.left[node]!);
      visit(tree.right[node]!);
    }
  };
  visit(0);
  return nodes;
}

describe('CoalitionWriter', () => {
  const [h, w, c] = [11, 14, 3];
  const pixels = h * w;
  const image = seededF32(pixels * c, 1, -1, 1);
  const fill = seededF32(pixels * c, 2, -1, 1);
  const maps = {
    // pixel features (partition SHAP's default)
    pixels: { labels: Int32Array.from({ length: pixels }, (_, p) => p), count: pixels },
    // superpixels of uneven shapes
    superpixels: {
      labels: Int32Array.from({ length: pixels }, (_, p) => (Math.floor(p / w) * 3 + Math.floor((p % w) / 5) + (p % 7 === 0 ? 1 : 0)) % 9),
      count: 9,
    },
  };

  it.for(Object.keys(maps).flatMap((m) => (['nhwc', 'nchw'] as const).map((layout) => [m, layout] as const)))(
    'writes perturbBatchRef of the coalitions as 0/1 mask rows, bit for bit (%s, %s)',
    ([name, layout]) => {
      const map = maps[name as keyof typeof maps];
      const partition = orderedPartition(map, w);
      const { tree, labels } = partition;
      const coalitions = [[], [0], ...Array.from({ length: 6 }, (_, i) => randomCoalition(tree, i + 1))];
      expect(new Set(coalitions.map((k) => k.length)).size).toBeGreaterThan(2);
      const count = coalitions.length - 1;
      const masks = new Float32Array(coalitions.length * map.count);
      coalitions.forEach((nodes, row) => {
        for (const node of nodes) masks.fill(1, row * map.count + tree.start[node]!, row * map.count + tree.end[node]!);
      });
      const want = perturbBatchRef({
        image,
        fill,
        masks: masks.subarray(map.count),
        maskStride: map.count,
        segments: labels,
        pixels,
        channels: c,
        count,
      });
      // Twice, with a new writer on the same partition: the second reads the node spans the first
      // made. First in JS, then staged in a WebAssembly.Memory (span-compose.wat), as a black box's batch.
      for (const staged of [false, true]) {
        const writer = new CoalitionWriter(partition, image, fill, c);
        const batch = count * pixels * c;
        const memory = new WebAssembly.Memory({ initial: Math.ceil(((batch + writer.stagingLength) * 4) / 65_536) });
        const whole = new Float32Array(memory.buffer, 0, batch + writer.stagingLength).fill(Number.NaN);
        const out = whole.subarray(0, batch);
        writer.write(out, coalitions, 1, count, layout, staged ? { whole, offset: batch, memory } : undefined);
        expect(writer.lastWrite).toBe(staged ? 'wasm' : 'js');
        expect(Array.from(out)).toEqual(Array.from(layout === 'nchw' ? nhwcToNchw(want, count, pixels, c) : want));
      }
    },
  );
});
