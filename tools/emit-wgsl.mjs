// SPDX-License-Identifier: Apache-2.0
// Post-build step for packages that import .wgsl files. tsc copies `import s from './k.wgsl'`
// verbatim into dist, which neither Node nor a bundler without our plugin can load. This writes
// dist/**/k.wgsl.js (`export default "<source>"`) and rewrites the specifiers to './k.wgsl.js'.
// Usage: node ../../tools/emit-wgsl.mjs  (run in a package directory after `tsc -b`).
import { readdirSync, readFileSync, writeFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const walk = (dir) =>
  readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });

let shaders = 0,
  rewritten = 0;
for (const file of walk('src').filter((p) => p.endsWith('.wgsl'))) {
  const out = join('dist', relative('src', file)) + '.js';
  writeFileSync(out, `export default ${JSON.stringify(readFileSync(file, 'utf8'))};\n`);
  shaders++;
}
for (const file of walk('dist').filter((p) => p.endsWith('.js') && !p.endsWith('.wgsl.js'))) {
  const text = readFileSync(file, 'utf8');
  const next = text.replace(/(from\s+['"])(\.{1,2}\/[^'"]+\.wgsl)(['"])/g, '$1$2.js$3');
  if (next !== text) {
    writeFileSync(file, next);
    rewritten++;
  }
}
console.log(`emit-wgsl: ${shaders} shaders, ${rewritten} modules rewritten`);
