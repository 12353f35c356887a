// SPDX-License-Identifier: Apache-2.0
import { readdirSync, statSync } from 'node:fs';
import { extname, join, relative, resolve, sep } from 'node:path';
import { UsageError } from '../errors.js';

/** File extensions read when walking a folder (a file named explicitly is tried whatever its name). */
export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.webp', '.gif', '.tif', '.tiff'];

const isImageName = (path: string) => IMAGE_EXTENSIONS.includes(extname(path).toLowerCase());
const hasGlob = (pattern: string) => /[*?[]/.test(pattern);

/** Every file under `dir`, recursively, sorted; hidden entries skipped. */
function walk(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walk(path));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

/** A glob (`*`, `?`, `[...]` within a path segment; `**` across segments) as a RegExp on '/'-paths. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i]!;
    if (ch === '*' && glob[i + 1] === '*') {
      const slash = glob[i + 2] === '/';
      re += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else if (ch === '[') {
      const end = glob.indexOf(']', i);
      if (end < 0) re += '\\[';
      else {
        re += `[${glob.slice(i + 1, end).replace(/^!/, '^')}]`;
        i = end;
      }
    } else re += /[.+^${}()|\\]/.test(ch) ? `\\${ch}` : ch;
  }
  return new RegExp(`^${re}$`);
}

function expandGlob(pattern: string): string[] {
  const parts = pattern.split('/');
  const firstGlob = parts.findIndex(hasGlob);
  const base = parts.slice(0, firstGlob).join('/') || (pattern.startsWith('/') ? '/' : '.');
  let files: string[];
  try {
    files = walk(base);
  } catch {
    return [];
  }
  const re = globToRegExp(resolve(pattern).split(sep).join('/'));
  return files.filter((f) => re.test(resolve(f).split(sep).join('/')));
}

/**
 * Expands `--images` values into a sorted, de-duplicated list of absolute file paths: a file as is
 * (whatever its extension: it is decoded or reported), a folder recursively (image extensions only),
 * a glob by matching. A value that matches nothing is a usage error naming it.
 */
export function collectImages(inputs: readonly string[]): string[] {
  const files = new Set<string>();
  for (const input of inputs) {
    let found: string[];
    if (hasGlob(input)) found = expandGlob(input).filter(isImageName);
    else {
      let stats;
      try {
        stats = statSync(input);
      } catch {
        throw new UsageError(`--images: '${input}' does not exist`);
      }
      found = stats.isDirectory() ? walk(input).filter(isImageName) : [input];
    }
    if (found.length === 0) throw new UsageError(`--images: '${input}' matches no image files (${IMAGE_EXTENSIONS.join(' ')})`);
    for (const f of found) files.add(resolve(f));
  }
  return [...files].sort();
}

/** A path for display and ids: relative to the working folder when inside it. */
export function displayPath(file: string, cwd = process.cwd()): string {
  const rel = relative(cwd, file);
  return (rel.startsWith('..') || rel === '' ? file : rel).split(sep).join('/');
}
