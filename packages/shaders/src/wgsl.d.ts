// SPDX-License-Identifier: Apache-2.0
/** `.wgsl` files import as their source text (vite plugin in tests, tools/emit-wgsl.mjs in dist). */
declare module '*.wgsl' {
  const source: string;
  export default source;
}
