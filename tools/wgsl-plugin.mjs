// SPDX-License-Identifier: Apache-2.0
/** Vite/vitest plugin: `import source from './x.wgsl'` -> the file's text as a default export. */
export function wgsl() {
  return {
    name: 'webxai-wgsl',
    transform(code, id) {
      if (id.endsWith('.wgsl')) return { code: `export default ${JSON.stringify(code)};`, map: null };
      return undefined;
    },
  };
}
