// SPDX-License-Identifier: Apache-2.0
// The seam between each .wgsl file and its defineKernel descriptor, checked by reading the WGSL
// (wgsl_reflect parses it): a binding's @binding index is the position of its key in `bindings`,
// its access mode and the uniform struct's field names, order and types are written twice, once
// per language. A mismatch would otherwise show up as a wrong picture, not as an error. Every
// descriptor exported (directly or in a plain object) by a *.kernel.ts file is found and checked,
// so a new kernel is covered without touching this file.
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ResourceType, WgslParser, WgslReflect } from 'wgsl_reflect/wgsl_reflect.module.js';
import { assembleSource, defineKernel, type BindingSpec, type KernelSpec } from './kernel.js';

type AnySpec = KernelSpec<Record<string, BindingSpec>>;
/** What the seam check reads from a descriptor. */
type SeamSpec = Pick<AnySpec, 'name' | 'source' | 'includes' | 'bindings' | 'constants' | 'workgroupSize'>;

const srcDir = fileURLToPath(new URL('..', import.meta.url));
const files = readdirSync(srcDir, { recursive: true, encoding: 'utf8' }).map((f) => join(srcDir, f));

function isSpec(value: unknown): value is AnySpec {
  const v = value as Partial<AnySpec> | null;
  return (
    typeof v === 'object' && v !== null && typeof v.name === 'string' && typeof v.source === 'string' && typeof v.bindings === 'object'
  );
}

/** Descriptors exported by a module, directly or as values of exported plain objects and maps. */
function specsIn(exports: Record<string, unknown>): AnySpec[] {
  const found: AnySpec[] = [];
  const visit = (value: unknown, depth: number) => {
    if (isSpec(value)) found.push(value);
    else if (value instanceof Map) [...value.values()].forEach((v) => visit(v, depth + 1));
    else if (depth < 3 && typeof value === 'object' && value !== null) Object.values(value).forEach((v) => visit(v, depth + 1));
  };
  Object.values(exports).forEach((v) => visit(v, 0));
  return found;
}

const kernelFiles = files.filter((f) => f.endsWith('.kernel.ts'));
const specs = (await Promise.all(kernelFiles.map(async (f) => specsIn((await import(f)) as Record<string, unknown>)))).flat();

/** Everything that disagrees between `spec` and its WGSL, one sentence each (empty when they agree). */
function seamProblems(spec: SeamSpec): string[] {
  const problems: string[] = [];
  const { code } = assembleSource(spec);
  const reflect = new WgslReflect(code);
  const groups = reflect.getBindGroups();
  if (groups.length > 1) problems.push(`uses bind groups other than 0 (the runtime binds group 0 only)`);
  const declared = groups[0] ?? [];
  const entries = Object.entries(spec.bindings);
  if (declared.length !== entries.length) problems.push(`WGSL declares ${declared.length} bindings, the descriptor ${entries.length}`);
  entries.forEach(([name, binding], index) => {
    const variable = declared[index];
    if (!variable) return problems.push(`binding "${name}" (@binding(${index})) is not declared in the WGSL`);
    if (variable.name !== name) problems.push(`@binding(${index}) is "${variable.name}" in the WGSL but "${name}" in the descriptor`);
    if ('uniform' in binding) {
      if (variable.resourceType !== ResourceType.Uniform)
        return problems.push(`"${name}" is a uniform in the descriptor but not var<uniform> in the WGSL`);
      const wgslFields = (variable.members ?? []).map((m) => `${m.name}: ${m.type.name}`);
      const specFields = Object.entries(binding.uniform).map(([field, type]) => `${field}: ${type}`);
      if (wgslFields.join(', ') !== specFields.join(', ')) {
        problems.push(`uniform "${name}" fields differ: WGSL {${wgslFields.join(', ')}} vs descriptor {${specFields.join(', ')}}`);
      }
    } else {
      if (variable.resourceType !== ResourceType.Storage)
        return problems.push(`"${name}" is storage in the descriptor but not var<storage> in the WGSL`);
      if (variable.access !== binding.storage)
        problems.push(`"${name}" is ${binding.storage} in the descriptor but ${variable.access} in the WGSL`);
    }
    return undefined;
  });
  const overrides = new WgslParser().parse(code).filter((n) => n.astNodeType === 'override') as unknown as {
    name: string;
    value: unknown;
  }[];
  const size = overrides.find((o) => o.name === 'WORKGROUP_SIZE');
  // A default is allowed only when it equals the descriptor's value (prefer none: the runtime sets it).
  const sizeDefault = /override\s+WORKGROUP_SIZE\s*:\s*u32\s*=\s*(\d+)u?\s*;/.exec(code)?.[1];
  if (!size) problems.push('declares no `override WORKGROUP_SIZE: u32;`');
  else if (size.value && Number(sizeDefault) !== spec.workgroupSize) {
    problems.push(
      `gives WORKGROUP_SIZE a default (${sizeDefault ?? 'an expression'}) that disagrees with the descriptor's ${spec.workgroupSize} (declare \`override WORKGROUP_SIZE: u32;\`)`,
    );
  }
  const supplied = new Set(['WORKGROUP_SIZE', ...Object.keys(spec.constants ?? {})]);
  for (const o of overrides)
    if (!o.value && !supplied.has(o.name)) problems.push(`override ${o.name} has no default and the descriptor does not set it`);
  for (const name of Object.keys(spec.constants ?? {})) {
    if (!overrides.some((o) => o.name === name)) problems.push(`constant ${name} is not an override in the WGSL`);
  }
  const computeEntries = reflect.entry.compute.map((e) => e.name);
  if (computeEntries.join() !== 'main') problems.push(`compute entry points are [${computeEntries.join(', ')}], the runtime calls "main"`);
  return problems;
}

describe('WGSL <-> descriptor seam', () => {
  it('finds the descriptors of every compute .wgsl file in src/', () => {
    const computeFiles = files.filter(
      (f) => f.endsWith('.wgsl') && /@compute/.test(readFileSync(f, 'utf8')) && !relative(srcDir, f).startsWith('runtime'),
    );
    expect(computeFiles.length).toBeGreaterThan(30);
    for (const file of computeFiles) {
      const stem = basename(file, '.wgsl');
      const text = readFileSync(file, 'utf8');
      // The descriptor named after the file compiles exactly that file (not a stale copy).
      const owners = specs.filter((s) => s.name === stem);
      expect(owners.length, `${stem}.wgsl: no exported defineKernel descriptor named "${stem}"`).toBeGreaterThan(0);
      for (const spec of owners) expect(spec.source === text, `${stem}: descriptor source is not ${stem}.wgsl`).toBe(true);
    }
  });

  it.each(specs.map((spec) => [`${spec.name} ${JSON.stringify(spec.constants ?? {})}`, spec] as const))(
    '%s agrees with its WGSL',
    (_, spec) => {
      expect(seamProblems(spec)).toEqual([]);
    },
  );

  it('reports a swapped binding, a wrong access mode, a reordered uniform and a WORKGROUP_SIZE default that disagrees', () => {
    const source = /* wgsl */ `
      override WORKGROUP_SIZE: u32 = 64u;
      struct Params { count: u32, scale: f32 }
      @group(0) @binding(0) var<uniform> params: Params;
      @group(0) @binding(1) var<storage, read> input: array<f32>;
      @group(0) @binding(2) var<storage, read_write> output: array<f32>;
      @compute @workgroup_size(WORKGROUP_SIZE) fn main(@builtin(global_invocation_id) g: vec3u) {
        output[g.x] = input[g.x] * params.scale + f32(params.count);
      }`;
    const wrong = defineKernel({
      name: 'seam-mismatch',
      source,
      workgroupSize: 256,
      bindings: {
        params: { uniform: { scale: 'f32', count: 'u32' } },
        output: { storage: 'read_write' },
        input: { storage: 'read_write' },
      },
      tolerance: { abs: 0, rel: 0 },
      threads: ({ params }) => params.count,
    });
    const problems = seamProblems(wrong);
    expect(problems).toContainEqual(expect.stringMatching(/@binding\(1\) is "input" in the WGSL but "output"/));
    expect(problems).toContainEqual(expect.stringMatching(/"output" is read_write in the descriptor but read in the WGSL/));
    expect(problems).toContainEqual(expect.stringMatching(/uniform "params" fields differ/));
    expect(problems).toContainEqual(
      expect.stringMatching(/gives WORKGROUP_SIZE a default \(64\) that disagrees with the descriptor's 256/),
    );
    // The same default with a descriptor that agrees is fine.
    expect(seamProblems({ ...wrong, workgroupSize: 64 }).filter((p) => p.includes('WORKGROUP_SIZE'))).toEqual([]);
  });
});
