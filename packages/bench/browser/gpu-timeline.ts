// SPDX-License-Identifier: Apache-2.0
// Records a GPU timeline of `work` (see src/gpu-timeline.ts): while it runs, every compute pass
// anyone begins on the device is replaced by one pass per dispatch with timestampWrites at its
// start and end, so each dispatch (tfjs's and webxai's alike) gets its own GPU time. A pass per
// dispatch instead of one per batch adds a pass boundary between dispatches, which WebGPU orders
// like the dispatches of one pass; on SwiftShader the bare passes' wall time stayed within its noise.
// Needs the device feature 'timestamp-query' (tfjs asks for it where the adapter has it).
import { summariseTimeline, type TimelineRun, type TimelineSummary } from '../src/gpu-timeline.js';

/** Dispatches one timeline can time: two timestamps each, in one query set of WebGPU's largest size (4096). */
const MAX_DISPATCHES = 2048;

/** The pass methods webxai and tfjs call, forwarded to a timed pass per dispatch. */
class DispatchTimer {
  #pipeline: GPUComputePipeline | undefined;
  readonly #groups = new Map<number, [GPUBindGroup | null, number[]]>();
  label = '';

  constructor(
    private readonly encoder: GPUCommandEncoder,
    private readonly begin: (descriptor: GPUComputePassDescriptor) => GPUComputePassEncoder,
    private readonly next: (kernel: string) => number,
    private readonly querySet: GPUQuerySet,
  ) {}

  setPipeline(pipeline: GPUComputePipeline): void {
    this.#pipeline = pipeline;
  }

  setBindGroup(index: number, group: GPUBindGroup | null, offsets: Iterable<number> = []): void {
    this.#groups.set(index, [group, [...offsets]]);
  }

  dispatchWorkgroups(x: number, y = 1, z = 1): void {
    const i = this.next(this.#pipeline?.label || '(unlabelled pipeline)');
    const pass = this.begin.call(this.encoder, {
      timestampWrites: { querySet: this.querySet, beginningOfPassWriteIndex: 2 * i, endOfPassWriteIndex: 2 * i + 1 },
    });
    if (this.#pipeline) pass.setPipeline(this.#pipeline);
    for (const [index, [group, offsets]] of this.#groups) pass.setBindGroup(index, group, offsets);
    pass.dispatchWorkgroups(x, y, z);
    pass.end();
  }

  end(): void {}
  pushDebugGroup(): void {}
  popDebugGroup(): void {}
  insertDebugMarker(): void {}
}

/** Reads the first `count` timestamps of `querySet` (ns, relative to the first). */
async function readStamps(device: GPUDevice, querySet: GPUQuerySet, count: number): Promise<number[]> {
  const size = count * 8;
  const resolve = device.createBuffer({ size, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
  const read = device.createBuffer({ size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  try {
    const encoder = device.createCommandEncoder({ label: 'gpu-timeline.resolve' });
    encoder.resolveQuerySet(querySet, 0, count, resolve, 0);
    encoder.copyBufferToBuffer(resolve, 0, read, 0, size);
    device.queue.submit([encoder.finish()]);
    await read.mapAsync(GPUMapMode.READ);
    const stamps = new BigInt64Array(read.getMappedRange().slice(0));
    read.unmap();
    return Array.from(stamps, (t) => Number(t - stamps[0]!));
  } finally {
    resolve.destroy();
    read.destroy();
  }
}

/**
 * Runs `work` (which must leave the GPU idle when it resolves) with every dispatch on `device` timed.
 * @throws Error without 'timestamp-query' on the device, or past MAX_DISPATCHES dispatches.
 */
export async function recordGpuTimeline(device: GPUDevice, work: () => Promise<void>): Promise<TimelineSummary> {
  if (!device.features.has('timestamp-query')) throw new Error("gpu timeline: the device lacks 'timestamp-query'");
  const querySet = device.createQuerySet({ type: 'timestamp', count: 2 * MAX_DISPATCHES });
  const labels: string[] = [];
  const next = (kernel: string) => {
    if (labels.length === MAX_DISPATCHES) throw new Error(`gpu timeline: more than ${MAX_DISPATCHES} dispatches`);
    return labels.push(kernel) - 1;
  };
  const proto = GPUCommandEncoder.prototype;
  const begin = proto.beginComputePass;
  proto.beginComputePass = function (this: GPUCommandEncoder, descriptor?: GPUComputePassDescriptor) {
    // A pass that times itself (tf.profile) is left alone.
    if (descriptor?.timestampWrites) return begin.call(this, descriptor);
    return new DispatchTimer(this, begin, next, querySet) as unknown as GPUComputePassEncoder;
  };
  try {
    await work();
  } finally {
    proto.beginComputePass = begin;
  }
  try {
    return summariseTimeline(labels, labels.length ? await readStamps(device, querySet, 2 * labels.length) : []);
  } finally {
    querySet.destroy();
  }
}

/**
 * One warm-up run of each side, then `rounds` runs of every side in turn (the load of the moment hits
 * them all), each with its dispatches timed on `device`. Every side must leave the GPU idle when it
 * resolves (see settleGpu).
 */
export async function alternatingTimelines<K extends string>(
  device: GPUDevice,
  sides: Readonly<Record<K, () => Promise<void>>>,
  rounds: number,
): Promise<Record<K, TimelineRun[]>> {
  const names = Object.keys(sides) as K[];
  for (const name of names) await sides[name]();
  const runs = Object.fromEntries(names.map((name) => [name, []])) as unknown as Record<K, TimelineRun[]>;
  for (let r = 0; r < rounds; r++) {
    for (const name of names) {
      const start = performance.now();
      const summary = await recordGpuTimeline(device, sides[name]);
      runs[name].push({ summary, wallMs: performance.now() - start });
    }
  }
  return runs;
}
