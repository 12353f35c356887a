// SPDX-License-Identifier: Apache-2.0
import prelude from './prelude.wgsl';
import { assertDeviceAlive, watchDevice } from './device.js';
import { foldWorkgroups } from './dispatch.js';
import { GpuValidationError, invariant, InvalidOptionError } from './errors.js';
import { BufferUsage } from './buffers.js';
import { checkIncludes } from './include-check.js';

/** The WGSL pasted in front of every kernel (linearIndex, linearWorkgroup). */
const PRELUDE = { name: 'prelude.wgsl', source: prelude } as const;

/** Scalar types a uniform struct field may have. */
export type UniformType = 'u32' | 'i32' | 'f32';

/**
 * How a kernel binding is declared; insertion order is the `@binding(i)` index in group 0.
 * A uniform lists its struct's fields in WGSL declaration order (all 4-byte scalars).
 */
export type BindingSpec = { readonly uniform: Readonly<Record<string, UniformType>> } | { readonly storage: 'read' | 'read_write' };

/** Absolute + relative tolerance, numpy `allclose` semantics: |a - b| <= abs + rel * |b|. */
export interface Tolerance {
  readonly abs: number;
  readonly rel: number;
}

/** The arguments a kernel with bindings `B` needs, derived from the spec (a typo is a compile error). */
export type KernelArgs<B extends Record<string, BindingSpec>> = {
  [K in keyof B]: B[K] extends { uniform: infer U } ? { readonly [F in keyof U]: number } : GPUBuffer;
};

/** Workgroups for one dispatch: a 1-D count (folded past 65,535 automatically) or an explicit grid. */
export type Workgroups = number | readonly [number, number?, number?];

/**
 * A piece of WGSL shared by several kernels (helper functions, constants, workgroup arrays), pasted
 * before the kernel's own source. `includes` lists the snippets it needs itself. See ADR 0006.
 */
export interface WgslSnippet {
  /** The snippet's .wgsl file name, used in compile-error messages. */
  readonly name: string;
  readonly source: string;
  readonly includes?: readonly WgslSnippet[];
}

interface KernelSpecBase<B extends Record<string, BindingSpec>> {
  /** Kebab-case, equal to the .wgsl file stem; used as the GPU object label and in errors. */
  readonly name: string;
  /** WGSL source; the runtime prepends `prelude.wgsl` (linearIndex, linearWorkgroup) and the includes. */
  readonly source: string;
  /** Shared snippets the source uses, pasted (once each, in order) between the prelude and the source. */
  readonly includes?: readonly WgslSnippet[];
  /** Value of the shader's `override WORKGROUP_SIZE` (declared there without a default). */
  readonly workgroupSize: number;
  readonly bindings: B;
  /** Tolerance the parity test applies against the CPU reference. */
  readonly tolerance: Tolerance;
  /** Extra `override` constants (pipeline is cached per distinct set). */
  readonly constants?: Readonly<Record<string, number>>;
}

/**
 * A kernel descriptor. The dispatch size is given one of two ways:
 * - `threads`: the invocations a 1-D kernel needs (one per output element, typically); the runtime
 *   dispatches ceil(threads / workgroupSize) workgroups, folded past 65,535. Prefer this.
 * - `workgroups`: the workgroups themselves, for kernels that give each workgroup one task
 *   (a row, an image) or use a 2-D/3-D grid.
 */
export type KernelSpec<B extends Record<string, BindingSpec>> = KernelSpecBase<B> &
  (
    | {
        /** Invocations for a dispatch (1-D), computed from the arguments. */ readonly threads: (args: KernelArgs<B>) => number;
        readonly workgroups?: undefined;
      }
    | {
        /** Workgroups for a dispatch, computed from the arguments. */ readonly workgroups: (args: KernelArgs<B>) => Workgroups;
        readonly threads?: undefined;
      }
  );

/**
 * Gives a kernel spec its precise type and checks its `includes` when the kernel is defined (module
 * load), not at its first dispatch.
 *
 * @throws {InvalidOptionError} an include is undefined (an import cycle), listed twice, or shares its
 *   name with a different snippet, or two parts declare the same module-scope name.
 */
export function defineKernel<const B extends Record<string, BindingSpec>>(spec: KernelSpec<B>): KernelSpec<B> {
  checkIncludes(spec.name, PRELUDE, spec.includes, spec.source);
  return spec;
}

/** Workgroups for one dispatch of `spec` with `args` (from `threads` or `workgroups`). */
export function dispatchSize<B extends Record<string, BindingSpec>>(spec: KernelSpec<B>, args: KernelArgs<B>): Workgroups {
  if (spec.threads) return Math.ceil(spec.threads(args) / spec.workgroupSize);
  return spec.workgroups(args);
}

/** A kernel spec with its binding types erased (what the runtime stores and caches). */
export type AnySpec = KernelSpec<Record<string, BindingSpec>>;

/** Whether dispatches are wrapped in validation error scopes (default: on unless NODE_ENV=production). */
let validation = validationByDefault();

/**
 * On unless NODE_ENV is 'production'. Spelt `process.env.NODE_ENV` so that bundlers (Vite, webpack,
 * esbuild) put the build's mode in its place: a page's production build then waits for no error
 * scope per dispatch (a GPU-process round trip each on Chromium). A page without a bundler has no
 * `process` and keeps the checks.
 */
function validationByDefault(): boolean {
  try {
    return process.env.NODE_ENV !== 'production';
  } catch {
    return true;
  }
}

/** Turns per-dispatch validation checks on or off (they cost a round trip per dispatch). */
export function setKernelValidation(enabled: boolean): void {
  validation = enabled;
}

export function kernelValidationEnabled(): boolean {
  return validation;
}

const pipelineCache = new WeakMap<GPUDevice, Map<string, Promise<GPUComputePipeline>>>();

/** Each descriptor's {@link pipelineKey}, made once: descriptors are immutable (variants are new objects). */
const pipelineKeys = new WeakMap<AnySpec, string>();

/** The sources (the kernel's, then its snippets') each pipeline key was first made for. */
const sourcesOfKey = new Map<string, readonly string[]>();

/**
 * Cache key of a kernel's pipeline: name, workgroup size, override constants and the snippets it
 * includes (two descriptors of one kernel may include different ones: fft-whole's `src` / `dst`
 * layouts). Asked for on every dispatch, so it is kept per descriptor (the JSON of the constants
 * cost 0.1-0.2 us each time). The source is not in the key, so a descriptor whose sources differ
 * from those of an earlier one with the same key is an invariant violation (it would run the
 * other's pipeline: a variant written with the same name gets the first-compiled program).
 */
export function pipelineKey(spec: AnySpec): string {
  let key = pipelineKeys.get(spec);
  if (key === undefined) {
    const snippets = resolveIncludes(spec.includes);
    const includes = snippets.length ? `+${snippets.map((snippet) => snippet.name).join('+')}` : '';
    key = `${spec.name}@${spec.workgroupSize}:${JSON.stringify(spec.constants ?? {})}${includes}`;
    checkOneSourcePerKey(key, [spec.source, ...snippets.map((snippet) => snippet.source)]);
    pipelineKeys.set(spec, key);
  }
  return key;
}

/** Remembers the sources of `key`'s first descriptor; throws when a later one's differ. */
function checkOneSourcePerKey(key: string, sources: readonly string[]): void {
  const first = sourcesOfKey.get(key);
  if (!first) {
    sourcesOfKey.set(key, sources);
    return;
  }
  invariant(
    first.length === sources.length && first.every((source, i) => source === sources[i]),
    `kernel ${key}: two descriptors share this pipeline key with different WGSL sources; give the variant a name of its own`,
  );
}

/** The compiled pipeline for `spec` on `device`, created once per device and cached. */
export function getPipeline(device: GPUDevice, spec: AnySpec): Promise<GPUComputePipeline> {
  let perDevice = pipelineCache.get(device);
  if (!perDevice) pipelineCache.set(device, (perDevice = new Map<string, Promise<GPUComputePipeline>>()));
  const key = pipelineKey(spec);
  let pipeline = perDevice.get(key);
  if (!pipeline) {
    pipeline = compilePipeline(device, spec).catch((error: unknown) => {
      perDevice.delete(key); // never cache a broken pipeline
      throw error;
    });
    perDevice.set(key, pipeline);
  }
  return pipeline;
}

async function compilePipeline(device: GPUDevice, spec: AnySpec): Promise<GPUComputePipeline> {
  // Shader-module errors go to a scope of our own, so they surface as this kernel's error
  // instead of leaking into whatever scope the caller has open.
  const shader = assembleSource(spec);
  device.pushErrorScope('validation');
  const module = device.createShaderModule({ label: spec.name, code: shader.code });
  const moduleError = await device.popErrorScope();
  const describe = async (fallback: string) => {
    const info = await module.getCompilationInfo().catch(() => undefined);
    const errors = info?.messages.filter((m) => m.type === 'error');
    return errors?.length ? errors.map((m) => `${shader.locate(m.lineNum)}:${m.linePos} ${m.message}`).join('; ') : fallback;
  };
  if (moduleError) throw new GpuValidationError(spec.name, await describe(moduleError.message));
  try {
    return await device.createComputePipelineAsync({
      label: spec.name,
      layout: 'auto',
      compute: { module, entryPoint: 'main', constants: { WORKGROUP_SIZE: spec.workgroupSize, ...spec.constants } },
    });
  } catch (cause) {
    throw new GpuValidationError(spec.name, await describe(String((cause as Error)?.message ?? cause)));
  }
}

/** The snippets `includes` pulls in, depth first (a snippet's own includes before it), each once. */
export function resolveIncludes(includes: readonly WgslSnippet[] = []): WgslSnippet[] {
  const seen = new Map<string, WgslSnippet>();
  const visit = (snippet: WgslSnippet) => {
    if (seen.has(snippet.name)) return;
    snippet.includes?.forEach(visit);
    seen.set(snippet.name, snippet);
  };
  includes.forEach(visit);
  return [...seen.values()];
}

/**
 * The WGSL the GPU compiles for `spec` — prelude, includes, the kernel's own source — and `locate`,
 * which turns a line of that text into `file:line` of the part it came from, so a compile error
 * points into the kernel's own .wgsl rather than past the prelude.
 */
export function assembleSource(spec: Pick<AnySpec, 'name' | 'source' | 'includes'>): { code: string; locate: (line: number) => string } {
  const parts = [PRELUDE, ...resolveIncludes(spec.includes), { name: `${spec.name}.wgsl`, source: spec.source }];
  const starts: { name: string; first: number }[] = [];
  let next = 1;
  for (const part of parts) {
    starts.push({ name: part.name, first: next });
    next += part.source.split('\n').length; // parts are joined with '\n', so each starts on a new line
  }
  const code = parts.map((p) => p.source).join('\n');
  const locate = (line: number) => {
    let part = starts[0]!;
    for (const s of starts) if (s.first <= line) part = s;
    return `${part.name}:${line - part.first + 1}`;
  };
  return { code, locate };
}

/** Packs a uniform struct: every field is a 4-byte scalar; size rounded up to 16 bytes. */
export function packUniform(spec: AnySpec, bindingName: string, fields: Record<string, UniformType>, values: Record<string, number>) {
  const names = Object.keys(fields);
  const data = new ArrayBuffer(Math.max(16, Math.ceil((names.length * 4) / 16) * 16));
  const view = new DataView(data);
  names.forEach((field, i) => {
    const v = values[field];
    const type = fields[field];
    const ok =
      v !== undefined &&
      (type === 'f32' ? Number.isFinite(v) : Number.isInteger(v) && (type === 'i32' ? Math.abs(v) < 2 ** 31 : v >= 0 && v < 2 ** 32));
    if (!ok) throw new InvalidOptionError(`${spec.name}: uniform ${bindingName}.${field} must be a ${type}, got ${v}`);
    if (type === 'f32') view.setFloat32(i * 4, v, true);
    else if (type === 'i32') view.setInt32(i * 4, v, true);
    else view.setUint32(i * 4, v, true);
  });
  return data;
}

/** A binding's resolved argument: a caller's buffer, or a packed uniform the dispatch uploads. */
export interface BoundArg {
  readonly name: string;
  readonly buffer?: GPUBuffer;
  readonly uniform?: ArrayBuffer;
}

/** Checks every argument of `spec` before anything touches the GPU; uniforms come back packed. */
export function bindArgs<B extends Record<string, BindingSpec>>(spec: KernelSpec<B>, args: KernelArgs<B>): BoundArg[] {
  const anySpec = spec as unknown as AnySpec;
  return Object.entries(anySpec.bindings).map(([name, binding]) => {
    const value = (args as Record<string, unknown>)[name];
    if ('uniform' in binding) {
      return { name, uniform: packUniform(anySpec, name, binding.uniform, value as Record<string, number>) };
    }
    if (!value) throw new InvalidOptionError(`kernel "${spec.name}": missing buffer for binding "${name}"`);
    return { name, buffer: value as GPUBuffer };
  });
}

/** The dispatch grid for `spec` with `args`, folded past 65,535 and checked against the device's limit. */
export function dispatchGrid<B extends Record<string, BindingSpec>>(
  device: GPUDevice,
  spec: KernelSpec<B>,
  args: KernelArgs<B>,
): [number, number, number] {
  const requested = dispatchSize(spec, args);
  const [x, y = 1, z = 1] = typeof requested === 'number' ? foldWorkgroups(requested) : requested;
  const maxPerDim = device.limits.maxComputeWorkgroupsPerDimension;
  if (x > maxPerDim || y > maxPerDim || z > maxPerDim) {
    throw new InvalidOptionError(`kernel "${spec.name}": grid ${x}x${y}x${z} exceeds ${maxPerDim} per dimension`);
  }
  return [x, y, z];
}

/**
 * Each pipeline's bind group layout, asked for once: getBindGroupLayout returns a new wrapper per
 * call (in a browser a call into the GPU client), and a dispatch only needs the same layout again.
 */
const bindGroupLayouts = new WeakMap<GPUComputePipeline, GPUBindGroupLayout>();

function bindGroupLayoutOf(pipeline: GPUComputePipeline): GPUBindGroupLayout {
  let layout = bindGroupLayouts.get(pipeline);
  if (!layout) bindGroupLayouts.set(pipeline, (layout = pipeline.getBindGroupLayout(0)));
  return layout;
}

/**
 * Records one dispatch of `pipeline` into `pass`: binds `bindings` in order (buffers as given,
 * uniforms through `uniformBinding`, which places the packed data somewhere the GPU can read it).
 * Shared by {@link submitDispatch} and KernelBatch, so both bind exactly alike.
 */
export function recordDispatch(
  device: GPUDevice,
  pass: GPUComputePassEncoder,
  name: string,
  pipeline: GPUComputePipeline,
  bindings: readonly BoundArg[],
  grid: readonly [number, number, number],
  uniformBinding: (binding: BoundArg) => GPUBufferBinding,
): void {
  const entries: GPUBindGroupEntry[] = bindings.map((binding, index) => ({
    binding: index,
    resource: binding.buffer ? { buffer: binding.buffer } : uniformBinding(binding),
  }));
  const bindGroup = device.createBindGroup({ label: name, layout: bindGroupLayoutOf(pipeline), entries });
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, bindGroup);
  pass.dispatchWorkgroups(...grid);
}

/** Encodes one dispatch of `pipeline` with `bindings` and submits it (uniform buffers are transient). */
export function submitDispatch(
  device: GPUDevice,
  name: string,
  pipeline: GPUComputePipeline,
  bindings: readonly BoundArg[],
  grid: readonly [number, number, number],
): void {
  const transient: GPUBuffer[] = [];
  const uniformBinding = (binding: BoundArg): GPUBufferBinding => {
    const data = binding.uniform!;
    const buffer = device.createBuffer({
      label: `${name}.${binding.name}`,
      size: data.byteLength,
      usage: BufferUsage.UNIFORM | BufferUsage.COPY_DST,
    });
    device.queue.writeBuffer(buffer, 0, data);
    transient.push(buffer);
    return { buffer };
  };
  const encoder = device.createCommandEncoder({ label: name });
  const pass = encoder.beginComputePass({ label: name });
  recordDispatch(device, pass, name, pipeline, bindings, grid, uniformBinding);
  pass.end();
  device.queue.submit([encoder.finish()]);
  // Safe: WebGPU defers destroy() until the submitted work that uses the buffer has completed.
  transient.forEach((b) => b.destroy());
}

/**
 * Encodes one dispatch of `spec` and submits it. The promise
 * settles once the dispatch has been validated (when validation is on) — not when the GPU has
 * finished; read results with `readFloat32`, or hand buffers to tfjs, which orders work on the queue.
 *
 * @throws {GpuValidationError} the pipeline or dispatch failed validation; the message names the kernel.
 * @throws {DeviceLostError} the device is lost.
 */
export async function runKernel<B extends Record<string, BindingSpec>>(
  device: GPUDevice,
  spec: KernelSpec<B>,
  args: KernelArgs<B>,
): Promise<void> {
  assertDeviceAlive(watchDevice(device), `kernel "${spec.name}"`);
  const bindings = bindArgs(spec, args);
  const grid = dispatchGrid(device, spec, args);
  if (grid[0] * grid[1] * grid[2] === 0) return;

  const pipeline = await getPipeline(device, spec as unknown as AnySpec);
  if (validation) device.pushErrorScope('validation');
  submitDispatch(device, spec.name, pipeline, bindings, grid);
  if (validation) {
    const error = await device.popErrorScope();
    if (error) throw new GpuValidationError(spec.name, error.message);
    assertDeviceAlive(device, `kernel "${spec.name}"`);
  }
}
