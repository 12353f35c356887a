// SPDX-License-Identifier: Apache-2.0
import type { AnySpec } from './kernel.js';

/**
 * A trie over the constants' (name, value) pairs in their order, the variant at the node they end at:
 * found without building a key string (a JSON key cost ~0.4 us per call, and the direct convolutions
 * ask for their variant on every dispatch).
 */
interface VariantNode {
  readonly next: Map<string, Map<number, VariantNode>>;
  variant?: object;
}

const variants = new WeakMap<object, VariantNode>();

const newNode = (): VariantNode => ({ next: new Map() });

/**
 * `spec` with its `override` constants set to `constants` (added to any it has): one descriptor per
 * distinct set, cached, so a variant is always the same object and its pipeline is compiled once
 * (pipelines are cached per name + workgroup size + constants). Why constants rather than uniforms
 * for a kernel's modes: software adapters (SwiftShader) run the work of uniform-selected dead code in
 * every invocation, while an override constant folds it away at pipeline creation (ADR 0009).
 */
export function kernelVariant<S extends Pick<AnySpec, 'name' | 'constants'>>(spec: S, constants: Readonly<Record<string, number>>): S {
  let node: VariantNode | undefined = variants.get(spec);
  if (!node) variants.set(spec, (node = newNode()));
  for (const name in constants) {
    let byValue: Map<number, VariantNode> | undefined = node.next.get(name);
    if (!byValue) node.next.set(name, (byValue = new Map<number, VariantNode>()));
    const value = constants[name]!;
    let child: VariantNode | undefined = byValue.get(value);
    if (!child) byValue.set(value, (child = newNode()));
    node = child;
  }
  node.variant ??= { ...spec, constants: { ...spec.constants, ...constants } };
  return node.variant as S;
}
