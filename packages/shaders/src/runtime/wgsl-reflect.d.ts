// SPDX-License-Identifier: Apache-2.0
// wgsl_reflect's `main` is a CommonJS file in a `"type": "module"` package, which Node cannot
// import by name; its ES module build is imported by path, typed as the package root.
declare module 'wgsl_reflect/wgsl_reflect.module.js' {
  export * from 'wgsl_reflect';
}
