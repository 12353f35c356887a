// SPDX-License-Identifier: Apache-2.0
import type { AnySpec } from './kernel.js';

const variants = new WeakMap<object, Map<string, object>>();

/**
 * `spec` with its `override` constants set to `constants` (added to any it has): one descriptor per
 * distinct set, cached, so a variant is always the same object and its pipeline is compiled once
 * (pipelines are cached per name + workgroup size + constants). Why constants rather than uniforms
 * for a kernel's modes: software adapters (SwiftShader) run the work of uniform-selected dead code in
 * every invocation, while an override constant folds it away at pipeline creation (ADR 0009).
 */
export function kernelVariant<S extends Pick<AnySpec, 'name' | 'constants'>>(spec: S, constants: Readonly<Record<string, number>>): S {
  let perSpec = variants.get(spec);
  if (!perSpec) variants.set(spec, (perSpec = new Map<string, object>()));
  const key = JSON.stringify(constants);
  let variant = perSpec.get(key) as S | undefined;
  if (!variant) perSpec.set(key, (variant = { ...spec, constants: { ...spec.constants, ...constants } }));
  return variant;
}
