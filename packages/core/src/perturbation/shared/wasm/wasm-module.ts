// SPDX-License-Identifier: Apache-2.0
// A host-batch writer's WebAssembly module (docs/decisions/0013): compiled once from its committed
// base64 bytes (a .generated.ts), instantiated once per WebAssembly.Memory it writes (the memory a
// host batch lives in, host-batch-pool.ts), so batch and sources are in one memory and nothing is
// copied in or out.

/** One module's compiled bytes and its instances, per memory. */
export class WasmModule<Exports> {
  private compiled: WebAssembly.Module | null | undefined;
  private readonly instances = new WeakMap<WebAssembly.Memory, Exports>();

  /** `base64`: the module's bytes (it imports `env.memory`). */
  constructor(private readonly base64: string) {}

  /**
   * The compiled module, or null where this engine has no WebAssembly, lacks a feature the module
   * uses, or may not compile it (a page's CSP without 'wasm-unsafe-eval'): the writer then writes
   * in JS, with the same bits. Compiled synchronously: these modules are 0.4-4 kB (Chromium 156
   * compiled a 1.8 MB module on the main thread here; older Chromes refused more than 4 kB there).
   */
  private module(): WebAssembly.Module | null {
    if (typeof WebAssembly !== 'object') return null;
    if (this.compiled === undefined) {
      const bytes = Uint8Array.from(atob(this.base64), (c) => c.charCodeAt(0));
      try {
        this.compiled = WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
      } catch {
        this.compiled = null; // compiling refused (CSP): the JS writer
      }
    }
    return this.compiled;
  }

  /** The module's exports on `memory` (one instance per memory), or undefined (see module()). */
  on(memory: WebAssembly.Memory): Exports | undefined {
    const module = this.module();
    if (!module) return undefined;
    let exports = this.instances.get(memory);
    if (!exports) {
      exports = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as Exports;
      this.instances.set(memory, exports);
    }
    return exports;
  }
}
