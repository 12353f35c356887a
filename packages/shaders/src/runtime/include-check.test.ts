// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { defineKernel, type WgslSnippet } from './kernel.js';
import { InvalidOptionError } from './errors.js';
import { moduleScopeNames } from './include-check.js';

const SOURCE = /* wgsl */ `
override WORKGROUP_SIZE: u32;
@group(0) @binding(0) var<storage, read_write> output: array<f32>;
@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) g: vec3u) {
  output[g.x] = helper(f32(g.x));
}`;

const helper: WgslSnippet = { name: 'helper.wgsl', source: 'fn helper(v: f32) -> f32 {\n  return v * 2.0;\n}' };
const constants: WgslSnippet = { name: 'constants.wgsl', source: 'const SCALE = 2.0;' };
/** Uses `constants` itself, so a kernel listing both reaches `constants` twice (allowed). */
const scaled: WgslSnippet = { name: 'scaled.wgsl', source: 'fn scaled(v: f32) -> f32 {\n  return v * SCALE;\n}', includes: [constants] };

/** Defines a kernel with `includes` around SOURCE (plus `extra` WGSL of its own). */
function define(includes: readonly (WgslSnippet | undefined)[], extra = '') {
  return () =>
    defineKernel({
      name: 'include-check',
      source: SOURCE + extra,
      includes: includes as WgslSnippet[],
      workgroupSize: 64,
      bindings: { output: { storage: 'read_write' } },
      tolerance: { abs: 0, rel: 0 },
      threads: () => 1,
    });
}

describe('defineKernel checks includes when the kernel is defined', () => {
  it('accepts a snippet reached twice, directly and through another snippet', () => {
    expect(define([helper, constants, scaled])).not.toThrow();
  });

  it('rejects an undefined include (what an import cycle leaves), naming the index', () => {
    expect(define([helper, undefined])).toThrow(InvalidOptionError);
    expect(define([helper, undefined])).toThrow(/kernel "include-check": the descriptor includes\[1\] is undefined; an import cycle/);
    expect(define([{ ...scaled, includes: [undefined as unknown as WgslSnippet] }, helper])).toThrow(
      /snippet "scaled.wgsl" includes\[0\] is undefined/,
    );
  });

  it('rejects a snippet listed twice in one list', () => {
    expect(define([helper, helper])).toThrow(/the descriptor lists "helper.wgsl" twice in includes/);
  });

  it('rejects two different snippets with the same file name (one would be silently dropped)', () => {
    const other = { name: 'helper.wgsl', source: 'fn helper(v: f32) -> f32 {\n  return v + 1.0;\n}' };
    expect(define([helper, { ...scaled, includes: [constants, other] }])).toThrow(/two different snippets are named "helper.wgsl"/);
  });

  it('rejects a name declared by two parts: a kernel keeping its own copy of an included helper, or of the prelude', () => {
    const ownCopy = '\nfn helper(v: f32) -> f32 {\n  return v;\n}';
    expect(define([helper], ownCopy)).toThrow(InvalidOptionError);
    expect(define([helper], ownCopy)).toThrow(/"helper" is declared in both helper.wgsl and include-check.wgsl/);
    expect(define([helper], '\nfn linearIndex() {}')).toThrow(/"linearIndex" is declared in both prelude.wgsl and include-check.wgsl/);
    expect(define([helper, { name: 'also-scale.wgsl', source: 'const SCALE = 3.0;' }, scaled])).toThrow(
      /"SCALE" is declared in both also-scale.wgsl and constants.wgsl/,
    );
  });
});

describe('moduleScopeNames', () => {
  it('lists declarations outside braces, whatever their indentation, and skips comments, fields and locals', () => {
    const wgsl = `
      // fn commented(): not a declaration
      /* struct Hidden { a: u32 } */
      struct Params { count: u32, scale: f32 }
      @group(0) @binding(0) var<uniform> params: Params;
      var<workgroup> tile: array<f32, 64>;
      override WORKGROUP_SIZE: u32;
      alias Index = u32;
      const_assert 1 < 2;
      fn helper(constant: u32) -> u32 {
        const local = 1u;
        var other = constant;
        return other + local;
      }`;
    expect(moduleScopeNames(wgsl)).toEqual(['Params', 'params', 'tile', 'WORKGROUP_SIZE', 'Index', 'helper']);
  });
});
