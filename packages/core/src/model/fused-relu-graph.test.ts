// SPDX-License-Identifier: Apache-2.0
// Which _FusedConv2D nodes the gradient pass runs fused (fused-relu-graph.ts): only relu ones with
// constant weights, NHWC, 'same' / 'valid' padding and no dilation, and only when executing the
// graph segment by segment between them computes no node twice.
import { describe, expect, it } from 'vitest';
import type * as tf from '@tensorflow/tfjs';
import type { GraphNodeLike } from './split/graph-program.js';
import { fusedPlan } from './fused-relu-graph.js';

type Spec = { op: string; inputs?: string[]; attrs?: Record<string, unknown> };

/** A stand-in GraphModel whose converter graph has `specs` (what fusedPlan reads: executor.graph.nodes). */
function graphOf(specs: Record<string, Spec>): tf.GraphModel {
  type Mutable = { -readonly [K in keyof GraphNodeLike]: GraphNodeLike[K] };
  const nodes: Record<string, Mutable> = {};
  for (const [name, spec] of Object.entries(specs)) {
    const attrParams = Object.fromEntries(Object.entries(spec.attrs ?? {}).map(([k, value]) => [k, { value }]));
    nodes[name] = { name, op: spec.op, inputs: [], children: [], attrParams };
  }
  for (const [name, spec] of Object.entries(specs)) nodes[name]!.inputs = (spec.inputs ?? []).map((i) => nodes[i]!);
  return { executor: { graph: { nodes } } } as unknown as tf.GraphModel;
}

const reluConv = (input: string, k: string, attrs: Record<string, unknown> = {}): Spec => ({
  op: '_FusedConv2D',
  inputs: [input, `${k}/kernel`, `${k}/bias`],
  attrs: { fusedOps: ['biasadd', 'relu'], strides: [1, 2, 2, 1], pad: 'same', dilations: [1, 1, 1, 1], dataFormat: 'NHWC', ...attrs },
});
const weights = (...layers: string[]) =>
  Object.fromEntries(layers.flatMap((k) => [[`${k}/kernel`, { op: 'Const' }] as const, [`${k}/bias`, { op: 'Const' }] as const]));

describe('fusedPlan', () => {
  it('takes the relu conv nodes of a chain, in execution order, with their strides and padding', () => {
    const graph = graphOf({
      x: { op: 'Placeholder' },
      a: reluConv('x', 'a'),
      b: reluConv('a', 'b', { pad: 'valid', strides: [1, 1, 1, 1] }),
      pool: { op: 'Mean', inputs: ['b'] },
      out: { op: 'MatMul', inputs: ['pool'] },
      ...weights('a', 'b'),
    });
    expect(fusedPlan(graph, 'x', 'out')).toEqual([
      { name: 'a', input: 'x', filter: 'a/kernel', bias: 'a/bias', strides: [2, 2], pad: 'same' },
      { name: 'b', input: 'a', filter: 'b/kernel', bias: 'b/bias', strides: [1, 1], pad: 'valid' },
    ]);
  });

  it('leaves relu6, explicit padding, dilation, NCHW and computed weights to tfjs', () => {
    const graph = graphOf({
      x: { op: 'Placeholder' },
      a: reluConv('x', 'a', { fusedOps: ['biasadd', 'relu6'] }),
      b: reluConv('a', 'b', { pad: 'explicit' }),
      c: reluConv('b', 'c', { dilations: [1, 2, 2, 1] }),
      d: reluConv('c', 'd', { dataFormat: 'NCHW' }),
      e: { op: '_FusedConv2D', inputs: ['d', 'w', 'e/bias'], attrs: reluConv('d', 'e').attrs! },
      w: { op: 'Mul', inputs: ['e/kernel', 'e/kernel'] },
      out: { op: 'Relu', inputs: ['e'] },
      ...weights('a', 'b', 'c', 'd', 'e'),
    });
    expect(fusedPlan(graph, 'x', 'out')).toEqual([]);
  });

  it('runs nothing fused when a node between two fused ones is needed after the second (it would run twice)', () => {
    const graph = graphOf({
      x: { op: 'Placeholder' },
      linear: { op: 'Conv2D', inputs: ['x', 'linear/kernel'] },
      a: reluConv('linear', 'a', { strides: [1, 1, 1, 1] }),
      sum: { op: 'AddV2', inputs: ['a', 'linear'] }, // a residual around the fused node
      ...weights('linear', 'a'),
    });
    expect(fusedPlan(graph, 'x', 'sum')).toEqual([]);
    // The same residual around a fed node is fine: the fused node's output is fed, not recomputed.
    const fedResidual = graphOf({
      x: { op: 'Placeholder' },
      a: reluConv('x', 'a', { strides: [1, 1, 1, 1] }),
      b: reluConv('a', 'b', { strides: [1, 1, 1, 1] }),
      sum: { op: 'AddV2', inputs: ['b', 'a'] },
      ...weights('a', 'b'),
    });
    expect(fusedPlan(fedResidual, 'x', 'sum').map((n) => n.name)).toEqual(['a', 'b']);
  });

  it('fuses nothing in a graph it cannot read', () => {
    expect(fusedPlan({} as tf.GraphModel, 'x', 'out')).toEqual([]);
  });
});
