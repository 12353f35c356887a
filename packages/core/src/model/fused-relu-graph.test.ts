// SPDX-License-Identifier: Apache-2.0
// Which fused conv / depthwise nodes the gradient pass runs as webxai's ops (fused-graph-plan.ts):
// BiasAdd (+ Relu / Relu6) nodes with constant weights, NHWC, 'same' / 'valid' padding and no
// dilation; and how the graph is cut so that no node is computed twice (a node a later segment
// needs again is fetched and fed).
import { describe, expect, it } from 'vitest';
import type * as tf from '@tensorflow/tfjs';
import type { GraphNodeLike } from './split/graph-program.js';
import { fusedSegments, type GraphSegment } from './fused-graph-plan.js';

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

/** The taken nodes of the segments, in order. */
const nodesOf = (segments: GraphSegment[]) => segments.flatMap((s) => (s.node ? [s.node] : []));
const fusedPlan = (graph: tf.GraphModel, input: string, output: string) => nodesOf(fusedSegments(graph, input, output));

describe('fusedSegments', () => {
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
      { name: 'a', kind: 'conv', activation: 'relu', input: 'x', filter: 'a/kernel', bias: 'a/bias', strides: [2, 2], pad: 'same' },
      { name: 'b', kind: 'conv', activation: 'relu', input: 'a', filter: 'b/kernel', bias: 'b/bias', strides: [1, 1], pad: 'valid' },
    ]);
    expect(fusedSegments(graph, 'x', 'out').map((s) => s.fetch)).toEqual([['x'], ['a'], ['out']]);
  });

  it('takes relu6 and linear conv and depthwise nodes; leaves other activations, explicit padding, dilation, NCHW and computed weights to tfjs', () => {
    const graph = graphOf({
      x: { op: 'Placeholder' },
      r6: reluConv('x', 'r6', { fusedOps: ['biasadd', 'relu6'] }),
      lin: reluConv('r6', 'lin', { fusedOps: ['biasadd'] }),
      dw: { ...reluConv('lin', 'dw', { fusedOps: ['biasadd', 'relu6'] }), op: 'FusedDepthwiseConv2dNative' },
      elu: reluConv('dw', 'elu', { fusedOps: ['biasadd', 'elu'] }),
      b: reluConv('elu', 'b', { pad: 'explicit' }),
      c: reluConv('b', 'c', { dilations: [1, 2, 2, 1] }),
      d: reluConv('c', 'd', { dataFormat: 'NCHW' }),
      e: { op: '_FusedConv2D', inputs: ['d', 'w', 'e/bias'], attrs: reluConv('d', 'e').attrs! },
      w: { op: 'Mul', inputs: ['e/kernel', 'e/kernel'] },
      out: { op: 'Relu', inputs: ['e'] },
      ...weights('r6', 'lin', 'dw', 'elu', 'b', 'c', 'd', 'e'),
    });
    expect(fusedPlan(graph, 'x', 'out').map((n) => [n.name, n.kind, n.activation])).toEqual([
      ['r6', 'conv', 'relu6'],
      ['lin', 'conv', 'linear'],
      ['dw', 'depthwise', 'relu6'],
    ]);
  });

  it('fetches a node that a later segment needs again (a residual around a taken node) instead of recomputing it', () => {
    const graph = graphOf({
      x: { op: 'Placeholder' },
      linear: { op: 'Conv2D', inputs: ['x', 'linear/kernel'] },
      a: reluConv('linear', 'a', { strides: [1, 1, 1, 1] }),
      sum: { op: 'AddV2', inputs: ['a', 'linear'] }, // a residual around the fused node
      ...weights('linear', 'a'),
    });
    // 'linear' is a's input: fetched by the first segment and fed to the last, not computed twice.
    expect(fusedSegments(graph, 'x', 'sum').map((s) => [s.fetch, s.node?.name])).toEqual([
      [['linear'], 'a'],
      [['sum'], undefined],
    ]);
    // A residual from a node that is nobody's input: fetched as an extra output of its segment.
    const block = graphOf({
      x: { op: 'Placeholder' },
      stem: { op: 'Conv2D', inputs: ['x', 'stem/kernel'] },
      skip: { op: 'Relu', inputs: ['stem'] },
      pre: { op: 'Neg', inputs: ['skip'] },
      a: reluConv('pre', 'a', { strides: [1, 1, 1, 1] }),
      sum: { op: 'AddV2', inputs: ['a', 'skip'] },
      ...weights('stem', 'a'),
    });
    expect(fusedSegments(block, 'x', 'sum').map((s) => s.fetch)).toEqual([['pre', 'skip'], ['sum']]);
    // The same residual around a fed node needs nothing more: the fused node's output is fed.
    const fedResidual = graphOf({
      x: { op: 'Placeholder' },
      a: reluConv('x', 'a', { strides: [1, 1, 1, 1] }),
      b: reluConv('a', 'b', { strides: [1, 1, 1, 1] }),
      sum: { op: 'AddV2', inputs: ['b', 'a'] },
      ...weights('a', 'b'),
    });
    expect(fusedSegments(fedResidual, 'x', 'sum').map((s) => s.fetch)).toEqual([['x'], ['a'], ['sum']]);
  });

  it('fuses nothing when a node it would fetch has a second output in use (a feed carries one tensor)', () => {
    const specs: Record<string, Spec> = {
      x: { op: 'Placeholder' },
      split: { op: 'Split', inputs: ['x'] },
      a: reluConv('split', 'a', { strides: [1, 1, 1, 1] }),
      sum: { op: 'AddV2', inputs: ['a', 'split'] },
      ...weights('a'),
    };
    const graph = graphOf(specs);
    expect(fusedPlan(graph, 'x', 'sum').map((n) => n.name)).toEqual(['a']);
    // The converter's nodes name the output they read: the residual reads split's second output.
    const nodes = (graph as unknown as { executor: { graph: { nodes: Record<string, { inputNames?: string[] }> } } }).executor.graph.nodes;
    nodes['sum']!.inputNames = ['a', 'split:1'];
    expect(fusedSegments(graph, 'x', 'sum')).toEqual([]);
  });

  it('fuses nothing in a graph it cannot read', () => {
    expect(fusedSegments({} as tf.GraphModel, 'x', 'out')).toEqual([]);
  });
});
