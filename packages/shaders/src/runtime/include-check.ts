// SPDX-License-Identifier: Apache-2.0
// Definition-time checks of a kernel's `includes` (ADR 0006): a mistake in them would otherwise
// surface as a WGSL compile error at the first dispatch (or, for two snippets sharing a file name,
// as a silently dropped snippet), far from the line that made it.
import { InvalidOptionError } from './errors.js';
import type { WgslSnippet } from './kernel.js';

/** One piece of the assembled WGSL: the prelude, a snippet or the kernel's own source. */
interface Part {
  readonly name: string;
  readonly source: string;
}

/** A module-scope declaration's keyword and name (`var<...>` covers bindings and workgroup arrays). */
const DECLARATION = /(?:fn|struct|const|override|alias|var(?:<[^>]*>)?)\s+([A-Za-z_]\w*)/y;

/** Names a WGSL text declares at module scope: declarations outside every `{ }`, comments ignored. */
export function moduleScopeNames(source: string): string[] {
  const code = source.replace(/\/\/[^\n]*/g, '').replace(/\/\*[\s\S]*?\*\//g, '');
  const names: string[] = [];
  let depth = 0;
  for (let i = 0; i < code.length; i++) {
    const c = code[i]!;
    if (c === '{') depth++;
    else if (c === '}') depth--;
    else if (depth === 0 && /[a-z]/.test(c) && !/\w/.test(code[i - 1] ?? ' ')) {
      DECLARATION.lastIndex = i;
      const match = DECLARATION.exec(code);
      if (match) {
        names.push(match[1]!);
        i = DECLARATION.lastIndex - 1;
      }
    }
  }
  return names;
}

/** The snippets `includes` reaches, each once, after checking every list on the way. */
function reachableSnippets(kernel: string, includes: readonly (WgslSnippet | undefined)[], owner: string): WgslSnippet[] {
  const byName = new Map<string, WgslSnippet>();
  const visit = (list: readonly (WgslSnippet | undefined)[], listOwner: string) => {
    const listed = new Set<string>();
    list.forEach((snippet, index) => {
      if (typeof snippet?.name !== 'string' || typeof snippet.source !== 'string') {
        throw new InvalidOptionError(
          `kernel "${kernel}": ${listOwner} includes[${index}] is ${snippet === undefined ? 'undefined' : 'not a WgslSnippet'}; ` +
            `an import cycle leaves a snippet undefined while modules load: import snippets from shaders/src/snippets/index.ts`,
        );
      }
      if (listed.has(snippet.name)) {
        throw new InvalidOptionError(`kernel "${kernel}": ${listOwner} lists "${snippet.name}" twice in includes; list it once`);
      }
      listed.add(snippet.name);
      const known = byName.get(snippet.name);
      if (known && known !== snippet && known.source !== snippet.source) {
        throw new InvalidOptionError(
          `kernel "${kernel}": two different snippets are named "${snippet.name}" (only one would be pasted); give each its own .wgsl file name`,
        );
      }
      if (known) return;
      byName.set(snippet.name, snippet);
      visit(snippet.includes ?? [], `snippet "${snippet.name}"`);
    });
  };
  visit(includes, owner);
  return [...byName.values()];
}

/**
 * Checks what `defineKernel` will paste together for kernel `kernel`: every include is a snippet
 * (not `undefined`), no list names a snippet twice, no two different snippets share a name, and no
 * module-scope name is declared by two parts (WGSL has one namespace; a kernel that keeps its own
 * copy of a helper it now includes would otherwise fail to compile at its first dispatch).
 *
 * @throws {InvalidOptionError} naming the kernel, the part(s) and the fix.
 */
export function checkIncludes(kernel: string, prelude: Part, includes: readonly WgslSnippet[] | undefined, source: string): void {
  const parts: Part[] = [prelude, ...reachableSnippets(kernel, includes ?? [], 'the descriptor'), { name: `${kernel}.wgsl`, source }];
  const declaredIn = new Map<string, string>();
  for (const part of parts) {
    for (const name of new Set(moduleScopeNames(part.source))) {
      const first = declaredIn.get(name);
      if (first !== undefined) {
        throw new InvalidOptionError(
          `kernel "${kernel}": "${name}" is declared in both ${first} and ${part.name} (WGSL has one namespace); ` +
            `rename one, or drop the kernel's own copy if the include now provides it`,
        );
      }
      declaredIn.set(name, part.name);
    }
  }
}
