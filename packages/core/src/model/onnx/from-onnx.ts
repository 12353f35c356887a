// SPDX-License-Identifier: Apache-2.0
import { InvalidOptionError, ModelError, UnsupportedModelError } from '@webxai/shaders';
import type { BlackBoxModel } from '../types.js';

/** The parts of an ONNX Runtime `InferenceSession` (onnxruntime-node or onnxruntime-web) used here. */
export interface OnnxSessionLike {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /** The inputs' shapes (ONNX Runtime 1.21+): sizes the default batch; absent or symbolic -> no default limit. */
  readonly inputMetadata?: readonly { readonly name: string; readonly shape?: readonly (number | string)[] }[];
  run(feeds: Record<string, unknown>): Promise<Record<string, { readonly data: unknown; readonly dims: readonly number[] }>>;
}

/** ONNX Runtime's `Tensor` constructor (`ort.Tensor`). */
export type OnnxTensorConstructor = new (type: 'float32', data: Float32Array, dims: readonly number[]) => unknown;

/** Options of {@link fromOnnx}. */
export interface FromOnnxOptions {
  /** The ONNX model's input layout: 'nchw' (ONNX's convention, default) or 'nhwc'. webxai's images are NHWC. */
  readonly layout?: 'nchw' | 'nhwc';
  /** Input to feed (default: the session's only input). */
  readonly inputName?: string;
  /** Output holding [batch, classes] scores (default: the first output). */
  readonly outputName?: string;
  /**
   * Largest batch per `run`. Default: as many images as fit in {@link DEFAULT_RUN_INPUT_BYTES} of
   * float32 input when the session declares its input's size (4 at 224x224x3), else no limit
   * (webxai's methods batch by their own `batchSize`). A larger number suits a GPU execution provider.
   */
  readonly maxBatch?: number;
  /** Number of classes, when known. */
  readonly numClasses?: number;
  /**
   * `ort.Tensor` from the runtime you use. Optional: without it, feeds are plain
   * `{ type, data, dims, location: 'cpu' }` objects, which onnxruntime-node and -web 1.30 accept.
   */
  readonly Tensor?: OnnxTensorConstructor;
}

/** A black-box model backed by an ONNX Runtime session. */
export interface OnnxModel extends BlackBoxModel {
  readonly session: OnnxSessionLike;
  readonly layout: 'nchw' | 'nhwc';
  /**
   * For layout 'nchw': scores of an NCHW batch, fed as is (webxai's perturbation methods write
   * their batches planar for it, skipping the transpose). `shape` is still [n, h, w, c].
   */
  readonly predictNchw?: (batch: Float32Array, shape: [n: number, h: number, w: number, c: number]) => Promise<Float32Array>;
}

/**
 * fromOnnx's default input per `run`: 4 images of 224x224x3 (2.4 MB). Measured with onnxruntime-node
 * 1.30's CPU execution provider on MobileNetV2-224 (2 cores, idle, session 25; alternating pairs
 * against webxai's own batches of 64, time ratio): RISE 1000 masks at most 1 image per run 0.865x,
 * 2 0.810x, 4 0.823x, 8 0.888 / 0.908x, 16 0.938x; at 4 LIME 1000 samples 0.834x, anchors 0.841x.
 * A batch's activations then stay closer to the CPU's caches; small images keep large batches
 * (28x28x1: 768 per run).
 */
export const DEFAULT_RUN_INPUT_BYTES = 4 * 224 * 224 * 3 * 4;

/** The default maxBatch for an input of `shape` ([batch, ...image]), or undefined when its image size is not fixed. */
export function defaultMaxBatch(shape: readonly (number | string)[] | undefined): number | undefined {
  const image = shape?.slice(1) ?? [];
  if (image.length === 0 || !image.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d > 0)) return undefined;
  const bytes = (image as number[]).reduce((a, d) => a * d, 4);
  return Math.max(1, Math.floor(DEFAULT_RUN_INPUT_BYTES / bytes));
}

/** NHWC -> NCHW for `n` images of `pixels` pixels and `c` channels. */
export function nhwcToNchw(
  src: Float32Array,
  n: number,
  pixels: number,
  c: number,
  dst: Float32Array = new Float32Array(src.length),
): Float32Array {
  if (c === 1) {
    dst.set(src);
    return dst;
  }
  for (let i = 0; i < n; i++) {
    const base = i * pixels * c;
    for (let ch = 0; ch < c; ch++) {
      const out = base + ch * pixels;
      for (let p = 0, q = base + ch; p < pixels; p++, q += c) dst[out + p] = src[q]!;
    }
  }
  return dst;
}

/**
 * Adapts an ONNX Runtime session (onnxruntime-node's CPU execution provider is by far the fastest
 * forward pass available in Node; onnxruntime-web in the browser) to webxai's black-box model, so
 * every perturbation method that needs only predictions can run on it. webxai hands it NHWC batches; for
 * `layout: 'nchw'` they are transposed on the way in.
 *
 * @example
 * import * as ort from 'onnxruntime-node';
 * const session = await ort.InferenceSession.create('mobilenetv2.onnx');
 * const r = await explain(fromOnnx(session, { layout: 'nchw', Tensor: ort.Tensor }), image, { method: 'lime' });
 */
export function fromOnnx(session: OnnxSessionLike, options: FromOnnxOptions = {}): OnnxModel {
  if (!session || typeof session.run !== 'function' || !Array.isArray(session.inputNames)) {
    throw new UnsupportedModelError('fromOnnx: expected an ONNX Runtime InferenceSession (with run, inputNames and outputNames)');
  }
  const layout = options.layout ?? 'nchw';
  if (layout !== 'nchw' && layout !== 'nhwc')
    throw new InvalidOptionError(`fromOnnx: layout must be 'nchw' or 'nhwc', got ${String(layout)}`);
  // Array.isArray above narrowed inputNames to any[]: read it as the interface declares it.
  const inputName = options.inputName ?? (session.inputNames as readonly string[])[0];
  if (options.inputName === undefined && session.inputNames.length !== 1) {
    throw new UnsupportedModelError(
      `fromOnnx: the session has ${session.inputNames.length} inputs (${session.inputNames.join(', ')}); pass inputName`,
    );
  }
  if (!inputName || !session.inputNames.includes(inputName)) {
    throw new InvalidOptionError(`fromOnnx: inputName '${inputName}' is not an input of the session (${session.inputNames.join(', ')})`);
  }
  const outputName = options.outputName ?? session.outputNames[0];
  if (!outputName || !session.outputNames.includes(outputName)) {
    throw new InvalidOptionError(
      `fromOnnx: outputName '${outputName}' is not an output of the session (${session.outputNames.join(', ')})`,
    );
  }
  const makeTensor = (data: Float32Array, dims: number[]) =>
    options.Tensor ? new options.Tensor('float32', data, dims) : { type: 'float32', data, dims, size: data.length, location: 'cpu' };
  const run = async (data: Float32Array, dims: number[], n: number): Promise<Float32Array> => {
    const outputs = await session.run({ [inputName]: makeTensor(data, dims) });
    const out = outputs[outputName];
    if (!out || !(out.data instanceof Float32Array)) {
      throw new ModelError(
        `fromOnnx: output '${outputName}' is not float32 (got ${out ? Object.prototype.toString.call(out.data) : 'nothing'})`,
      );
    }
    const rows = out.dims[0];
    if (rows !== n || out.data.length % n !== 0) {
      throw new ModelError(`fromOnnx: output '${outputName}' has dims [${out.dims}] for a batch of ${n}; expected [${n}, classes]`);
    }
    return out.data;
  };
  const maxBatch = options.maxBatch ?? defaultMaxBatch(session.inputMetadata?.find((m) => m.name === inputName)?.shape);
  return {
    session,
    layout,
    ...(maxBatch !== undefined ? { maxBatch } : {}),
    ...(options.numClasses !== undefined ? { numClasses: options.numClasses } : {}),
    // An InferenceSession's run reads its input tensors and never writes them (ONNX Runtime's
    // inputs are const), and the NHWC path hands it a transposed copy.
    readsInputOnly: true,
    predict(batch, shape) {
      const [n, h, w, c] = shape;
      return layout === 'nchw' ? run(nhwcToNchw(batch, n, h * w, c), [n, c, h, w], n) : run(batch, [n, h, w, c], n);
    },
    ...(layout === 'nchw'
      ? { predictNchw: (batch: Float32Array, [n, h, w, c]: [number, number, number, number]) => run(batch, [n, c, h, w], n) }
      : {}),
  };
}
