// SPDX-License-Identifier: Apache-2.0
// Workspace packages are type-checked from source (customConditions), so their .wgsl imports need this.
declare module '*.wgsl' {
  const source: string;
  export default source;
}
